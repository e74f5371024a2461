// `npm run deploy`: brings up (or, with --preview, drift-checks) the account-pair stacks; see docs/operations.md.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { automationRunner, ensurePulumiCli } from "./deploy/automation";
import { main } from "./deploy/cli";

const repoRoot = path.resolve(__dirname, "..");

main(process.argv.slice(2), {
  readFile: (file) => readFileSync(path.resolve(repoRoot, file), "utf8"),
  ensureCli: ensurePulumiCli,
  runner: (accounts) => automationRunner(repoRoot, accounts),
  out: { write: (line) => console.log(line), now: () => Date.now() },
  error: (line) => console.error(line),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err);
    process.exitCode = 1;
  },
);
