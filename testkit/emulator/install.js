#!/usr/bin/env node
// Installs the AWS API emulator (moto server) into a git-ignored cache, by the first route that works:
// 1. Debian packages: bookworm has no moto; trixie's python3-moto is pure Python and runs on bookworm's
//    python3.11, so only that one .deb is taken from trixie (without touching the machine's apt sources) and
//    everything it imports comes from bookworm.
// 2. A Python virtual environment with `pip install "moto[server]"` at the same moto version, for machines
//    without Debian's tools (macOS, other distributions).
// When none works, one message names every route tried and what each lacks. Idempotent: a second run with a
// working install does nothing. The route decision is pure (planInstall, describeFailure) and unit tested.

const { execFileSync, spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..", "..");
const CACHE = path.join(ROOT, ".cache", "emulator");
const SITE = path.join(CACHE, "root", "usr", "lib", "python3", "dist-packages");
const PYTHON_VARIABLE = "RDS_REPLICATION_PYTHON";
// The interpreter both routes build on; another one (e.g. Homebrew's) can be named by the variable.
const PYTHON = process.env[PYTHON_VARIABLE] || "/usr/bin/python3";
const VENV = path.join(CACHE, "venv");
const VENV_PYTHON = path.join(VENV, "bin", "python");
// The version Debian's route installs, so the launcher's fixes (moto_server.py) meet the same code either way.
const MOTO_VERSION = "5.1.1";
const ENDPOINT_VARIABLE = "RDS_REPLICATION_EMULATOR_ENDPOINT";
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

function pythonCanImport(modules, extraPath, python = PYTHON) {
  const env = { ...process.env, PYTHONPATH: extraPath ?? "" };
  const result = spawnSync(python, ["-c", `import ${modules.join(", ")}`], { env, encoding: "utf8" });
  if (result.error) return result.error.message;
  return result.status === 0 ? null : (result.stderr || "").trim().split("\n").pop();
}

const onPath = (name) =>
  (process.env.PATH || "").split(path.delimiter).some((dir) => dir && fs.existsSync(path.join(dir, name)));

function isRoot() {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

function ensureSystemPython() {
  if (!fs.existsSync(PYTHON)) {
    throw new InstallError(`${PYTHON} is missing: install Debian's python3 (apt-get install python3).`);
  }
  const missing = pythonCanImport(PYTHON_MODULES);
  if (!missing) return;
  if (!isRoot() || !onPath("apt-get")) {
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

function venvWorks() {
  return fs.existsSync(VENV_PYTHON) && pythonCanImport(["moto.server"], "", VENV_PYTHON) === null;
}

/** How to start the emulator once installed: the interpreter and the PYTHONPATH it needs. */
const RUNTIMES = {
  debian: () => ({ python: PYTHON, pythonPath: SITE }),
  venv: () => ({ python: VENV_PYTHON, pythonPath: "" }),
};

const ROUTES = {
  debian: "Debian packages (python3-moto from the Debian archive, its dependencies by apt-get)",
  venv: `A Python virtual environment (.cache/emulator/venv, pip install "moto[server]==${MOTO_VERSION}")`,
};

/**
 * What this machine offers, as plain data for planInstall. Probes only, installs nothing; stops probing as soon
 * as an installed emulator is found (each probe starts a Python).
 */
function probe() {
  const external = process.env[ENDPOINT_VARIABLE] || undefined;
  if (external) return { external };
  const pythonFound = fs.existsSync(PYTHON);
  // moto.server imports every dependency, so this one import checks them too.
  if (pythonFound && motoWorks()) return { debianReady: true };
  if (venvWorks()) return { venvReady: true };
  const dependencies = pythonFound && pythonCanImport(PYTHON_MODULES) === null;
  let mirror = false;
  try {
    mirror = Boolean(debianMirror());
  } catch {}
  return {
    python: PYTHON,
    pythonFound,
    aptGet: onPath("apt-get"),
    dpkg: onPath("dpkg"),
    // Without root, apt-get cannot install the dependencies, unless they are there already.
    canInstallDependencies: isRoot() || dependencies,
    debianMirror: mirror,
    venvModule: pythonFound && pythonCanImport(["venv", "ensurepip"]) === null,
  };
}

/**
 * The decision, pure: use what is already there, or the routes to try in order, each with what it lacks
 * (a route that lacks something is not tried, but is named in the failure message).
 */
function planInstall(facts) {
  if (facts.external) return { use: "external" };
  if (facts.debianReady) return { use: "debian" };
  if (facts.venvReady) return { use: "venv" };
  const python = facts.pythonFound ? [] : [`python3 at ${facts.python} (set ${PYTHON_VARIABLE} to another one)`];
  const debian = [
    ...python,
    ...(facts.aptGet ? [] : ["apt-get"]),
    ...(facts.dpkg ? [] : ["dpkg"]),
    ...(facts.debianMirror ? [] : ["a Debian mirror in /etc/apt/sources.list.d/debian.sources"]),
    ...(facts.canInstallDependencies ? [] : ["root, to apt-get install moto's Python dependencies"]),
  ];
  const venv = [...python, ...(facts.pythonFound && !facts.venvModule ? ["python3's venv module (python3-venv)"] : [])];
  return {
    routes: [
      { route: "debian", missing: debian },
      { route: "venv", missing: venv },
    ],
  };
}

/** The one message for when no route worked: every route, what it lacked or how it failed, and the way out. */
function describeFailure(attempts) {
  return [
    "cannot install the AWS emulator (moto server). Tried:",
    ...attempts.map(
      (a, i) =>
        `  ${i + 1}. ${ROUTES[a.route]}: ${a.missing.length > 0 ? `missing ${a.missing.join(", ")}` : `failed: ${a.error}`}`,
    ),
    "Fix one of these, or run a moto server yourself (any machine with Python: " +
      `pip install "moto[server]==${MOTO_VERSION}" && moto_server -p 5000) and set ${ENDPOINT_VARIABLE}=http://127.0.0.1:5000`,
  ].join("\n");
}

function installDebian() {
  ensureSystemPython();
  if (motoWorks()) return;
  fetchMoto();
  const missing = pythonCanImport(["moto.server", "moto.rds", "moto.kms", "moto.sns"], SITE);
  if (missing) throw new InstallError(`moto was unpacked but does not import: ${missing}`);
}

function installVenv() {
  if (!fs.existsSync(VENV_PYTHON)) run(PYTHON, ["-m", "venv", VENV], "python3 -m venv");
  log(`pip install moto[server]==${MOTO_VERSION} into ${VENV}`);
  // Few retries and a short timeout: an unreachable package index must fail in seconds, not minutes.
  run(
    VENV_PYTHON,
    ["-m", "pip", "install", "--quiet", "--retries", "1", "--timeout", "15", `moto[server]==${MOTO_VERSION}`],
    "pip install",
  );
  const missing = pythonCanImport(["moto.server", "moto.rds", "moto.kms", "moto.sns"], "", VENV_PYTHON);
  if (missing) throw new InstallError(`moto was installed in the venv but does not import: ${missing}`);
}

const INSTALLERS = { debian: installDebian, venv: installVenv };

/** Installs if needed; returns how to start the emulator, or undefined for an external one. */
function install() {
  const plan = planInstall(probe());
  if (plan.use === "external") {
    log(`using the external emulator at ${process.env[ENDPOINT_VARIABLE]}`);
    return undefined;
  }
  if (plan.use) {
    log(`moto is installed (${plan.use})`);
    return RUNTIMES[plan.use]();
  }
  const attempts = [];
  for (const { route, missing } of plan.routes) {
    if (missing.length > 0) {
      attempts.push({ route, missing });
      continue;
    }
    try {
      INSTALLERS[route]();
      log(`moto is installed (${route})`);
      return RUNTIMES[route]();
    } catch (error) {
      attempts.push({ route, missing: [], error: error.message.split("\n").slice(-3).join(" ") });
    }
  }
  throw new InstallError(describeFailure(attempts));
}

module.exports = { CACHE, SITE, PYTHON, install, planInstall, describeFailure, InstallError };

if (require.main === module) {
  try {
    install();
  } catch (error) {
    process.stderr.write(`[emulator] ${error.message}\n`);
    process.exit(1);
  }
}
