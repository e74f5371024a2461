#!/usr/bin/env node
// Installs the AWS API emulator (moto server) from Debian packages only, into a git-ignored cache.
// Debian bookworm has no moto; trixie's python3-moto is pure Python and runs on bookworm's python3.11,
// so only that one .deb is taken from trixie (without touching the machine's apt sources) and
// everything it imports comes from bookworm. Idempotent: a second run with a working install does nothing.

const { execFileSync, spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..", "..");
const CACHE = path.join(ROOT, ".cache", "emulator");
const SITE = path.join(CACHE, "root", "usr", "lib", "python3", "dist-packages");
const PYTHON = "/usr/bin/python3";
const BOOKWORM_PACKAGES = [
  "python3-boto3",
  "python3-botocore",
  "python3-cryptography",
  "python3-dateutil",
  "python3-flask",
  "python3-flask-cors",
  "python3-jinja2",
  "python3-requests",
  "python3-responses",
  "python3-werkzeug",
  "python3-xmltodict",
  "python3-yaml",
  "python3-pyparsing",
  "python3-jose",
];
const PYTHON_MODULES = [
  "boto3",
  "botocore",
  "cryptography",
  "dateutil",
  "flask",
  "flask_cors",
  "jinja2",
  "requests",
  "responses",
  "werkzeug",
  "xmltodict",
  "yaml",
  "pyparsing",
  "jose",
];

class InstallError extends Error {}

function log(message) {
  process.stderr.write(`[emulator] ${message}\n`);
}

function run(cmd, args, what) {
  const result = spawnSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  if (result.error || result.status !== 0) {
    const detail = result.error
      ? result.error.message
      : (result.stderr || result.stdout).trim().split("\n").slice(-5).join("\n");
    throw new InstallError(`${what} failed (${cmd} ${args.join(" ")}):\n${detail}`);
  }
  return result.stdout;
}

function pythonCanImport(modules, extraPath) {
  const env = { ...process.env, PYTHONPATH: extraPath ?? "" };
  const result = spawnSync(PYTHON, ["-c", `import ${modules.join(", ")}`], { env, encoding: "utf8" });
  return result.status === 0 ? null : (result.stderr || "").trim().split("\n").pop();
}

function isRoot() {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

function ensureSystemPython() {
  if (!fs.existsSync(PYTHON)) {
    throw new InstallError(`${PYTHON} is missing: install Debian's python3 (apt-get install python3).`);
  }
  const missing = pythonCanImport(PYTHON_MODULES);
  if (!missing) return;
  if (!isRoot() || !fs.existsSync("/usr/bin/apt-get")) {
    throw new InstallError(
      `moto's Python dependencies are missing (${missing}) and this user cannot apt-get install them.\n` +
        `Install as root: apt-get install ${BOOKWORM_PACKAGES.join(" ")}\n` +
        "or run a moto server yourself and set RDS_REPLICATION_EMULATOR_ENDPOINT=http://127.0.0.1:PORT.",
    );
  }
  log(`installing Debian packages: ${BOOKWORM_PACKAGES.join(" ")}`);
  run("apt-get", ["update", "-qq"], "apt-get update");
  run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...BOOKWORM_PACKAGES], "apt-get install");
  const still = pythonCanImport(PYTHON_MODULES);
  if (still) throw new InstallError(`after apt-get install, python still cannot import: ${still}`);
}

// The machine's own mirror, so no host name is written anywhere in this repository.
function debianMirror() {
  const file = "/etc/apt/sources.list.d/debian.sources";
  if (fs.existsSync(file)) {
    for (const stanza of fs.readFileSync(file, "utf8").split(/\n\s*\n/)) {
      const uris = stanza.match(/^URIs:\s*(\S+)/m);
      const suites = stanza.match(/^Suites:\s*(.+)$/m);
      if (uris && suites && !/security/.test(suites[1])) return uris[1];
    }
  }
  const legacy = "/etc/apt/sources.list";
  if (fs.existsSync(legacy)) {
    const line = fs
      .readFileSync(legacy, "utf8")
      .split("\n")
      .find((l) => /^deb\s/.test(l) && !/security/.test(l));
    if (line) return line.split(/\s+/).find((w) => /^https?:/.test(w));
  }
  throw new InstallError("cannot find the machine's Debian mirror in /etc/apt/sources.list.d/debian.sources");
}

function fetchMoto() {
  const aptDir = path.join(CACHE, "apt");
  const lists = path.join(aptDir, "lists");
  fs.mkdirSync(path.join(lists, "partial"), { recursive: true });
  const sources = path.join(aptDir, "trixie.sources");
  fs.writeFileSync(
    sources,
    [
      "Types: deb",
      `URIs: ${debianMirror()}`,
      "Suites: trixie",
      "Components: main",
      "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg",
      "",
    ].join("\n"),
  );
  const opts = [
    "-o",
    `Dir::Etc::SourceList=${sources}`,
    "-o",
    "Dir::Etc::SourceParts=/dev/null",
    "-o",
    `Dir::State::Lists=${lists}`,
    "-o",
    `Dir::Cache::Archives=${aptDir}`,
  ];
  log("reading the trixie package index (python3-moto only)");
  run("apt-get", [...opts, "update", "-qq"], "apt-get update (trixie index)");
  const debDir = path.join(aptDir, "debs");
  fs.mkdirSync(debDir, { recursive: true });
  log("downloading python3-moto");
  execFileSync("apt-get", [...opts, "download", "-qq", "python3-moto"], {
    cwd: debDir,
    stdio: ["ignore", "ignore", "pipe"],
  });
  const deb = fs.readdirSync(debDir).find((f) => f.startsWith("python3-moto_") && f.endsWith(".deb"));
  if (!deb) throw new InstallError("apt-get download python3-moto produced no .deb");
  fs.rmSync(path.join(CACHE, "root"), { recursive: true, force: true });
  run("dpkg", ["-x", path.join(debDir, deb), path.join(CACHE, "root")], "dpkg -x python3-moto");
  log(`unpacked ${deb}`);
}

function motoWorks() {
  return fs.existsSync(path.join(SITE, "moto")) && pythonCanImport(["moto.server"], SITE) === null;
}

function install() {
  if (process.env.RDS_REPLICATION_EMULATOR_ENDPOINT) {
    log(`using the external emulator at ${process.env.RDS_REPLICATION_EMULATOR_ENDPOINT}`);
    return;
  }
  ensureSystemPython();
  if (motoWorks()) {
    log("moto is installed");
    return;
  }
  fetchMoto();
  const missing = pythonCanImport(["moto.server", "moto.rds", "moto.kms", "moto.sns"], SITE);
  if (missing) throw new InstallError(`moto was unpacked but does not import: ${missing}`);
  log("moto is installed");
}

module.exports = { CACHE, SITE, PYTHON, install, InstallError };

if (require.main === module) {
  try {
    install();
  } catch (error) {
    process.stderr.write(`[emulator] cannot install the AWS emulator: ${error.message}\n`);
    process.exit(1);
  }
}
