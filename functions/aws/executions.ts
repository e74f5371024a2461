// Starting a run under a deterministic name, with re-runs. A closed execution's name cannot be used again for
// 90 days, so a run that failed is re-run as the next attempt of the same name (`<name>-a2`, `-a3`, ...): a
// trigger whose run is RUNNING or SUCCEEDED stays a duplicate, one whose every attempt failed, timed out or was
// aborted starts the next attempt, up to MAX_ATTEMPTS. Used by the consumer intake and the producer dispatch.
import {
  DescribeExecutionCommand,
  type ExecutionStatus,
  type SFNClient,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import { classifyAwsError } from "../decisions/errors";

/** Attempts per deterministic name: the first run and four re-runs. */
export const MAX_ATTEMPTS = 5;

/** Closed without success: the same trigger may run again. */
const RERUNNABLE: readonly string[] = ["FAILED", "TIMED_OUT", "ABORTED"];

/** `name` for the first attempt, `name-a2`, `name-a3`... after it. */
export function attemptName(base: string, attempt: number): string {
  return attempt === 1 ? base : `${base}-a${attempt}`;
}

/** What an existing attempt's status means: a run that may still succeed or did succeed is the trigger's run. */
export function afterExisting(status: ExecutionStatus | string | undefined): "duplicate" | "next-attempt" {
  return RERUNNABLE.includes(status ?? "") ? "next-attempt" : "duplicate";
}

/** `arn:...:stateMachine:M` + `N` -> `arn:...:execution:M:N`. */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(":stateMachine:", ":execution:")}:${name}`;
}

export type StartOutcome =
  | { outcome: "started"; name: string; attempt: number; executionArn: string }
  | { outcome: "duplicate"; name: string; attempt: number; status: string }
  | { outcome: "exhausted"; name: string; attempt: number };

/** Starts the first attempt of `base` that is free, unless an earlier attempt is running or succeeded. */
export async function startAttempt(
  sfn: SFNClient,
  stateMachineArn: string,
  base: string,
  input: string,
): Promise<StartOutcome> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const name = attemptName(base, attempt);
    try {
      const out = await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input }));
      return {
        outcome: "started",
        name,
        attempt,
        executionArn: out.executionArn ?? executionArnOf(stateMachineArn, name),
      };
    } catch (error) {
      if ((error as Error).name !== "ExecutionAlreadyExists") {
        throw classifyAwsError(error, { operation: `start execution ${name}` });
      }
    }
    let status: string | undefined;
    try {
      const described = await sfn.send(
        new DescribeExecutionCommand({ executionArn: executionArnOf(stateMachineArn, name) }),
      );
      status = described.status;
    } catch (error) {
      throw classifyAwsError(error, { operation: `describe execution ${name}` });
    }
    if (afterExisting(status) === "duplicate") return { outcome: "duplicate", name, attempt, status: status ?? "?" };
  }
  return { outcome: "exhausted", name: attemptName(base, MAX_ATTEMPTS), attempt: MAX_ATTEMPTS };
}
