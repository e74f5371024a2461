import { parseArgs } from "node:util";
import { ConfigError, EXIT, type ExitCode, PulumiCliMissingError } from "./errors";
import { orderStacks } from "./order";
import { parsePairs } from "./pairs";
import { type Console, runStacks } from "./run";
import type { StackRunner } from "./runner";

export const DEFAULT_PAIRS_FILE = "deploy/pairs.yaml";

export const USAGE = `Usage: npm run deploy -- [--preview] [--stack NAME]... [--pairs FILE]

Brings up every stack of the account pairs, each source stack before the destination stacks that reference it.
  --preview      drift check instead: refreshed preview expecting no changes, per stack
  --stack NAME   only this stack (repeatable); its sources are not brought up
  --pairs FILE   pairs file (default ${DEFAULT_PAIRS_FILE})
Exit codes: 0 ok, 1 a stack failed or the Pulumi CLI is missing, 2 drift found (--preview), 3 bad usage or pairs file.`;

export interface Options {
  preview: boolean;
  stacks: string[];
  pairsFile: string;
  help: boolean;
}

export function parseOptions(argv: readonly string[]): Options {
  try {
    const { values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        preview: { type: "boolean", default: false },
        stack: { type: "string", multiple: true, default: [] },
        pairs: { type: "string", default: DEFAULT_PAIRS_FILE },
        help: { type: "boolean", short: "h", default: false },
      },
    });
    return { preview: values.preview, stacks: values.stack, pairsFile: values.pairs, help: values.help };
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
}

export interface Deps {
  readFile(path: string): string;
  ensureCli(): Promise<void>;
  /** The runner for these stacks; `accounts` maps each stack of the pairs file to its account. */
  runner(accounts: Readonly<Record<string, string>>): StackRunner;
  out: Console;
  error(line: string): void;
}

/** The whole command, with every effect injected; returns the process exit code. */
export async function main(argv: readonly string[], deps: Deps): Promise<ExitCode> {
  let plan: string[];
  let options: Options;
  let accounts: Record<string, string>;
  try {
    options = parseOptions(argv);
    if (options.help) {
      deps.out.write(USAGE);
      return EXIT.ok;
    }
    const pairs = readPairs(deps, options.pairsFile);
    accounts = Object.fromEntries(pairs.stacks.map((s) => [s.name, s.account]));
    plan = planStacks(pairs, options);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    deps.error(err.message);
    deps.error(USAGE);
    return EXIT.usage;
  }
  try {
    await deps.ensureCli();
  } catch (err) {
    deps.error(err instanceof PulumiCliMissingError ? err.message : String(err));
    return EXIT.failure;
  }
  const report = await runStacks(options.preview ? "preview" : "up", plan, deps.runner(accounts), deps.out);
  return report.exitCode;
}

function readPairs(deps: Deps, file: string) {
  let text: string;
  try {
    text = deps.readFile(file);
  } catch (err) {
    throw new ConfigError(`cannot read pairs file ${file}: ${(err as Error).message}`);
  }
  return parsePairs(text, file);
}

function planStacks(pairs: ReturnType<typeof parsePairs>, options: Options): string[] {
  const ordered = orderStacks(pairs.stacks);
  const unknown = options.stacks.filter((name) => !ordered.includes(name));
  if (unknown.length > 0) {
    throw new ConfigError(`--stack ${unknown.join(", ")}: not in ${options.pairsFile} (known: ${ordered.join(", ")})`);
  }
  return options.stacks.length === 0 ? ordered : ordered.filter((name) => options.stacks.includes(name));
}
