// Headless Chromium from Debian's packages (`apt-get install chromium`, done by .ci/run), for tests that check
// what a browser renders: the DOM after the page's scripts ran, and screenshots. Driven by its own command-line
// flags, so no driver package and no network (the flags turn off every background fetch).
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export const CHROMIUM_PATH_VARIABLE = "CHROMIUM_PATH";
const NAMES = ["chromium", "chromium-browser", "google-chrome-stable", "google-chrome"];
// Debian's /usr/bin/chromium is a wrapper script; the binary itself sits here.
const KNOWN_PATHS = ["/usr/lib/chromium/chromium"];
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];

const executable = (file: string) => {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
};

/** The browser to run: $CHROMIUM_PATH, else the first of the usual names on PATH, else Debian's own path. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string {
  const chosen = env[CHROMIUM_PATH_VARIABLE];
  if (chosen) {
    if (!executable(chosen)) throw new Error(`${CHROMIUM_PATH_VARIABLE}=${chosen} is not an executable file`);
    return chosen;
  }
  const dirs = (env.PATH ?? "").split(path.delimiter).filter(Boolean);
  const found = [...NAMES.flatMap((name) => dirs.map((dir) => path.join(dir, name))), ...KNOWN_PATHS].find(executable);
  if (!found) {
    throw new Error(
      `no Chromium found (looked for ${NAMES.join(", ")} on PATH and ${KNOWN_PATHS.join(", ")}): ` +
        `install Debian's package (apt-get install chromium, as .ci/run does) or set ${CHROMIUM_PATH_VARIABLE}`,
    );
  }
  return found;
}

function run(args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(findChromium(), [...FLAGS, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      err += c.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`chromium ${args.join(" ")} ended ${signal ?? code}:\n${err.slice(-1500)}`));
    });
  });
}

/** The page's DOM once it loaded and its scripts ran, serialized as HTML. */
export function dumpDom(file: string, timeoutMs = 60_000): Promise<string> {
  return run(["--dump-dom", `file://${path.resolve(file)}`], timeoutMs);
}

/** A PNG of the page at the given window size. */
export async function screenshot(file: string, png: string, size = "1400,1100", timeoutMs = 60_000): Promise<void> {
  await run([`--screenshot=${path.resolve(png)}`, `--window-size=${size}`, `file://${path.resolve(file)}`], timeoutMs);
  if (!fs.existsSync(png)) throw new Error(`chromium wrote no screenshot to ${png}`);
}
