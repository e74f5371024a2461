import { CommandError, LocalWorkspace, PulumiCommand } from "@pulumi/pulumi/automation";
import { PulumiCliMissingError } from "./errors";
import type { StackRunner } from "./runner";

/**
 * The Pulumi CLI (from v3.226.1, see its "CLI exit codes" page) exits with 7 when `--expect-no-changes` finds
 * changes. Older CLIs used the generic 255 with this message, so both are recognised as drift.
 */
export const PULUMI_DRIFT_EXIT_CODE = 7;
const DRIFT_MESSAGE = /no changes were expected/;

interface CommandOutcome {
  code: number;
  stdout: string;
  stderr: string;
  err?: { code?: string };
}

// CommandError keeps the CLI's exit code and output in a field its typings mark private.
function outcomeOf(err: unknown): CommandOutcome | undefined {
  return err instanceof CommandError ? (err as unknown as { commandResult: CommandOutcome }).commandResult : undefined;
}

export function isDrift(err: unknown): boolean {
  const outcome = outcomeOf(err);
  if (!outcome) return false;
  return outcome.code === PULUMI_DRIFT_EXIT_CODE || DRIFT_MESSAGE.test(outcome.stderr + outcome.stdout);
}

export function isCliMissing(err: unknown): boolean {
  return outcomeOf(err)?.err?.code === "ENOENT";
}

/** A short reason for the operator: the CLI's `error:` lines, not the whole captured output. */
export function describeFailure(err: unknown): string {
  const outcome = outcomeOf(err);
  if (!outcome) return err instanceof Error ? err.message : String(err);
  const lines = `${outcome.stdout}\n${outcome.stderr}`.split(/\r?\n/).map((l) => l.trim());
  const errors = [...new Set(lines.filter((l) => l.startsWith("error:")))].slice(0, 5);
  const detail = errors.length > 0 ? errors : lines.filter((l) => l !== "").slice(-1);
  return `pulumi exited with code ${outcome.code}: ${detail.join("; ") || "no output"}`;
}

/** Fails early, with install instructions, when there is no `pulumi` binary for the Automation API to drive. */
export async function ensurePulumiCli(): Promise<void> {
  try {
    await PulumiCommand.get();
  } catch (err) {
    if (isCliMissing(err)) throw new PulumiCliMissingError("`pulumi` is not on PATH");
    throw new Error(`The Pulumi CLI cannot be used: ${describeFailure(err)}`);
  }
}

export const ALLOWED_ACCOUNTS_KEY = "aws:allowedAccountIds";

/** The part of a Pulumi stack that holds its config. */
export interface StackConfigStore {
  getAllConfig(): Promise<Record<string, { value: string; secret?: boolean }>>;
  setConfig(key: string, value: { value: string; secret?: boolean }): Promise<void>;
}

/**
 * Pins the stack to its account from deploy/pairs.yaml: `aws:allowedAccountIds` makes the AWS provider refuse
 * credentials of any other account before it touches a resource. Set when absent; when present it must be
 * exactly that account, or the deploy stops (the stack file and pairs.yaml disagree on where the stack lives).
 */
export async function pinAccount(stackName: string, stack: StackConfigStore, account: string): Promise<void> {
  const current = (await stack.getAllConfig())[ALLOWED_ACCOUNTS_KEY]?.value;
  if (current === undefined) {
    await stack.setConfig(ALLOWED_ACCOUNTS_KEY, { value: JSON.stringify([account]) });
    return;
  }
  let ids: unknown;
  try {
    ids = JSON.parse(current);
  } catch {
    ids = current;
  }
  if (!Array.isArray(ids) || ids.length !== 1 || String(ids[0]) !== account)
    throw new Error(
      `stack ${stackName}: ${ALLOWED_ACCOUNTS_KEY} is ${current}, but deploy/pairs.yaml puts this stack in account ${account}; correct one of them`,
    );
}

/**
 * Production StackRunner: the local Pulumi program in `workDir`, one stack at a time, each pinned to its
 * account from the pairs file (`accounts`: stack name -> account id).
 */
export function automationRunner(workDir: string, accounts: Readonly<Record<string, string>>): StackRunner {
  const pinned = async (stack: StackConfigStore, stackName: string) => {
    const account = accounts[stackName];
    if (!account) throw new Error(`stack ${stackName} is not in the pairs file: no account to pin it to`);
    await pinAccount(stackName, stack, account);
  };
  return {
    up: (stackName, onOutput) =>
      concise(async () => {
        // A new pair's stack exists only as a Pulumi.<stack>.yaml file until its first deploy.
        const stack = await LocalWorkspace.createOrSelectStack({ stackName, workDir });
        await pinned(stack, stackName);
        await stack.up({ onOutput, onError: onOutput });
      }),
    preview: (stackName, onOutput) =>
      concise(async () => {
        const stack = await LocalWorkspace.selectStack({ stackName, workDir });
        await pinned(stack, stackName);
        try {
          await stack.preview({ refresh: true, expectNoChanges: true, diff: true, onOutput, onError: onOutput });
          return "clean" as const;
        } catch (err) {
          if (isDrift(err)) return "drift" as const;
          throw err;
        }
      }),
  };
}

async function concise<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (err) {
    throw new Error(describeFailure(err));
  }
}
