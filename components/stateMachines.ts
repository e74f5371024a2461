// The two state machines as ASL objects. Pure (no Pulumi): the program JSON.stringify's the result inside
// an apply, and the e2e tests execute the very same objects with aws-local-stepfunctions. Every Task has
// Retry (the retryable error classes of functions/decisions/errors.ts), Catch and TimeoutSeconds (or, awaiting a
// copy's event, TimeoutSecondsPath); every poll loop is Poll -> Choice -> Wait -> Poll, bounded by the poll step giving up (functions/decisions/pollSchedule.ts); every copy
// start waits for admission in Copy -> Choice -> Wait -> Copy, bounded by the admission's maximum age.
import { stepByKey } from "../functions/catalog";
import { RETRY_POLICIES } from "../functions/decisions/errors";

export type LambdaArns = Record<string, string>;

export interface DefinitionOptions {
  /** Per step key, the Task timeout (default: the catalog's Lambda timeout plus TASK_TIMEOUT_MARGIN_SECONDS). */
  timeoutSeconds?: Record<string, number>;
}

type State = Record<string, unknown>;

const LAMBDA_SERVICE_ERRORS = ["Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException"];
// A throttled step (its reserved concurrency is in use, e.g. by poll watches) only has to wait its turn:
// retried for about half an hour rather than failing the run.
const LAMBDA_THROTTLED = "Lambda.TooManyRequestsException";

// Beyond the Lambda's own timeout: invocation, cold start and throttled-invoke retries inside Lambda's
// service. A Task that hits States.Timeout means the Lambda did not answer at all, not that it ran long.
export const TASK_TIMEOUT_MARGIN_SECONDS = 30;

/** The Task timeout of a step: its Lambda timeout (functions/catalog.ts) plus the margin. */
export function taskTimeoutSeconds(key: string, options: DefinitionOptions = {}): number {
  return options.timeoutSeconds?.[key] ?? stepByKey(key).timeoutSeconds + TASK_TIMEOUT_MARGIN_SECONDS;
}

export function taskRetries(): State[] {
  return [
    { ErrorEquals: LAMBDA_SERVICE_ERRORS, IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2, JitterStrategy: "FULL" },
    {
      ErrorEquals: [LAMBDA_THROTTLED],
      IntervalSeconds: 10,
      MaxAttempts: 10,
      BackoffRate: 2,
      MaxDelaySeconds: 300,
      JitterStrategy: "FULL",
    },
    ...Object.entries(RETRY_POLICIES).map(([name, policy]) => ({
      ErrorEquals: [name],
      ...policy,
      JitterStrategy: "FULL",
    })),
    { ErrorEquals: ["States.Timeout"], IntervalSeconds: 10, MaxAttempts: 2, BackoffRate: 2 },
  ];
}

function arnOf(arns: LambdaArns, key: string): string {
  const arn = arns[key];
  if (!arn) throw new Error(`state machine definition: no Lambda ARN for step ${key}`);
  return arn;
}

interface TaskSpec {
  key: string;
  parameters?: State;
  resultPath?: string | null;
  next?: string;
  catchTo: string;
}

function taskState(arns: LambdaArns, options: DefinitionOptions, spec: TaskSpec): State {
  return {
    Type: "Task",
    Resource: arnOf(arns, spec.key),
    ...(spec.parameters ? { Parameters: spec.parameters } : {}),
    ...(spec.resultPath !== undefined ? { ResultPath: spec.resultPath } : {}),
    TimeoutSeconds: taskTimeoutSeconds(spec.key, options),
    Retry: taskRetries(),
    Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: spec.catchTo }],
    ...(spec.next ? { Next: spec.next } : { End: true }),
  };
}

/** Poll -> ready? -> (next | Wait -> Poll). `progressPath` holds the poll step's result between checks. */
function pollLoop(
  arns: LambdaArns,
  options: DefinitionOptions,
  names: { check: string; ready: string; wait: string },
  spec: { key: string; targetPath: string; operationPath: string; progressPath: string; next: string; catchTo: string },
): Record<string, State> {
  return {
    [names.check]: taskState(arns, options, {
      key: spec.key,
      parameters: {
        "target.$": spec.targetPath,
        "operation.$": spec.operationPath,
        "poll.$": spec.progressPath,
        "execution.$": "$$.Execution.Id",
      },
      resultPath: spec.progressPath,
      next: names.ready,
      catchTo: spec.catchTo,
    }),
    [names.ready]: {
      Type: "Choice",
      Choices: [{ Variable: `${spec.progressPath}.done`, BooleanEquals: true, Next: spec.next }],
      Default: names.wait,
    },
    [names.wait]: { Type: "Wait", SecondsPath: `${spec.progressPath}.waitSeconds`, Next: names.check },
  };
}

/** Lambda's Step Functions integration that hands the function a task token and waits until it is completed. */
export const WAIT_FOR_TASK_TOKEN = "arn:aws:states:::lambda:invoke.waitForTaskToken";

/**
 * A DB snapshot copy awaiting its copy-finished event (functions/steps/copyAwait.ts): the Task invokes the
 * registrar with a task token and waits until the registrar (copy already settled) or the event handler
 * completes it, or until the fallback timeout the copy step set (`awaitSeconds`); on States.Timeout it turns
 * again (registrar = fallback check), bounded by the registrar failing past the copy's time limit. Other copies
 * (clusters: RDS emits no copy-finished event for them) go to the poll loop at `pollCheck`.
 */
function copyAwait(
  arns: LambdaArns,
  names: { awaits: string; await: string },
  spec: {
    key: string;
    targetPath: string;
    operationPath: string;
    progressPath: string;
    pollCheck: string;
    next: string;
    catchTo: string;
  },
): Record<string, State> {
  return {
    [names.awaits]: {
      Type: "Choice",
      Choices: [
        {
          And: [
            { Variable: spec.operationPath, StringEquals: "snapshot-copy" },
            { Variable: `${spec.progressPath}.awaitSeconds`, IsPresent: true },
          ],
          Next: names.await,
        },
      ],
      Default: spec.pollCheck,
    },
    [names.await]: {
      Type: "Task",
      Resource: WAIT_FOR_TASK_TOKEN,
      Parameters: {
        FunctionName: arnOf(arns, spec.key),
        Payload: {
          "token.$": "$$.Task.Token",
          "target.$": spec.targetPath,
          "operation.$": spec.operationPath,
          "poll.$": spec.progressPath,
          "execution.$": "$$.Execution.Id",
        },
      },
      ResultPath: spec.progressPath,
      TimeoutSecondsPath: `${spec.progressPath}.awaitSeconds`,
      // A timeout is the fallback check's turn, not a failure to retry.
      Retry: taskRetries().filter((r) => !(r.ErrorEquals as string[]).includes("States.Timeout")),
      Catch: [
        { ErrorEquals: ["States.Timeout"], ResultPath: "$.awaitTimedOut", Next: names.await },
        { ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: spec.catchTo },
      ],
      Next: spec.next,
    },
  };
}

/**
 * A copy step that may answer "not admitted yet" (`waiting` present in its result at `resultPath`): wait what
 * it says, then ask again; admitted, go on. Waiting is bounded by the step (ADMISSION.maxAgeSeconds), not by a
 * retry budget.
 */
function admissionLoop(
  names: { admitted: string; wait: string; step: string },
  spec: { resultPath: string; next: string },
): Record<string, State> {
  return {
    [names.admitted]: {
      Type: "Choice",
      Choices: [{ Variable: `${spec.resultPath}.waiting`, IsPresent: true, Next: names.wait }],
      Default: spec.next,
    },
    [names.wait]: { Type: "Wait", SecondsPath: `${spec.resultPath}.waitSeconds`, Next: names.step },
  };
}

function notifyParameters(
  side: "producer" | "consumer",
  outcome: "succeeded" | "failed",
  startedAtPath: string,
): State {
  return {
    side,
    outcome,
    "execution.$": "$$.Execution.Id",
    "startedAt.$": startedAtPath,
    "state.$": "$",
  };
}

/** The producer's failure notification, then `next` (a Fail state); a failing notify still fails the run. */
function producerFailureNotice(arns: LambdaArns, options: DefinitionOptions, next: string): State {
  return taskState(arns, options, {
    key: "producer-notify",
    parameters: notifyParameters("producer", "failed", "$$.Execution.StartTime"),
    resultPath: "$.notification",
    next,
    catchTo: "Failed",
  });
}

/**
 * Producer entry point (EventBridge rules, the schedule and manual starts target it): the plan step turns the
 * trigger into work items and starts one execution of the per-database state machine for each, so neither
 * this execution's state nor its history grows with the number of databases (the plan returns counts only).
 * A failed plan or dispatch is notified; each database's run notifies its own outcome.
 */
export function producerDispatchDefinition(arns: LambdaArns, options: DefinitionOptions = {}): State {
  return {
    Comment: "rds-replication producer: plan, then one per-database execution per work item",
    StartAt: "Plan and dispatch",
    States: {
      "Plan and dispatch": taskState(arns, options, {
        key: "producer-plan",
        resultPath: "$.dispatched",
        next: "Any refused?",
        catchTo: "Notify failure",
      }),
      // Databases the plan refused up front (e.g. an unencrypted cluster): the others were dispatched.
      "Any refused?": {
        Type: "Choice",
        Choices: [{ Variable: "$.dispatched.refusedCount", NumericGreaterThan: 0, Next: "Notify refusals" }],
        Default: "Done",
      },
      "Notify refusals": producerFailureNotice(arns, options, "Refused"),
      Refused: {
        Type: "Fail",
        Error: "DatabasesRefused",
        Cause: "see the failure notification: what to change is named there",
      },
      "Notify failure": producerFailureNotice(arns, options, "Failed"),
      Done: { Type: "Succeed" },
      Failed: { Type: "Fail", ErrorPath: "$.error.Error", CausePath: "$.error.Cause" },
    },
  };
}

/**
 * Producer, one database (input: a work item of functions/steps/producer/plan.ts): take snapshot? -> wait for it ->
 * transit per destination region (wait for the copy, share + announce; a region's failure does not stop the
 * others) -> prune -> notification -> fail if anything failed. Its state is bounded by the destination regions
 * of one database, its history by the poll bounds (docs/benchmark.md, "Step Functions limits").
 */
export function producerDatabaseDefinition(arns: LambdaArns, options: DefinitionOptions = {}): State {
  const perRegion: State = {
    StartAt: "Transit copy awaits event?",
    States: {
      ...copyAwait(
        arns,
        { awaits: "Transit copy awaits event?", await: "Await transit copy" },
        {
          key: "producer-await-copy",
          targetPath: "$.snapshot",
          operationPath: "$.operation",
          progressPath: "$.poll",
          pollCheck: "Check transit copy",
          next: "Share and announce",
          catchTo: "Region failed",
        },
      ),
      ...pollLoop(
        arns,
        options,
        { check: "Check transit copy", ready: "Transit copy ready?", wait: "Wait for transit copy" },
        {
          key: "producer-poll",
          targetPath: "$.snapshot",
          operationPath: "$.operation",
          progressPath: "$.poll",
          next: "Share and announce",
          catchTo: "Region failed",
        },
      ),
      "Share and announce": taskState(arns, options, {
        key: "producer-publish",
        resultPath: "$.published",
        catchTo: "Region failed",
      }),
      "Region failed": { Type: "Pass", End: true },
    },
  };
  return {
    Comment: "rds-replication producer, one database: snapshot -> transit copy -> share -> announce",
    StartAt: "Take snapshot?",
    States: {
      "Take snapshot?": {
        Type: "Choice",
        Choices: [{ Variable: "$.take", BooleanEquals: true, Next: "Take snapshot" }],
        Default: "Check source snapshot",
      },
      "Take snapshot": taskState(arns, options, {
        key: "producer-snapshot",
        resultPath: "$.source",
        next: "Check source snapshot",
        catchTo: "Notify failure",
      }),
      ...pollLoop(
        arns,
        options,
        { check: "Check source snapshot", ready: "Source snapshot ready?", wait: "Wait for source snapshot" },
        {
          key: "producer-poll",
          targetPath: "$.source",
          operationPath: "$.sourceOperation",
          progressPath: "$.sourcePoll",
          next: "Prepare transit",
          catchTo: "Notify failure",
        },
      ),
      "Prepare transit": taskState(arns, options, {
        key: "producer-transit",
        resultPath: "$.transits",
        next: "Transit admitted?",
        catchTo: "Notify failure",
      }),
      ...admissionLoop(
        { admitted: "Transit admitted?", wait: "Wait for a transit copy slot", step: "Prepare transit" },
        { resultPath: "$.transits", next: "Each destination region" },
      ),
      "Each destination region": {
        Type: "Map",
        ItemsPath: "$.transits",
        ItemProcessor: { ProcessorConfig: { Mode: "INLINE" }, ...perRegion },
        ResultPath: "$.transits",
        Next: "Prune transit copies",
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "Notify failure" }],
      },
      "Prune transit copies": taskState(arns, options, {
        key: "producer-prune",
        resultPath: "$.pruned",
        next: "Notify",
        catchTo: "Notify failure",
      }),
      Notify: taskState(arns, options, {
        key: "producer-notify",
        parameters: notifyParameters("producer", "succeeded", "$$.Execution.StartTime"),
        resultPath: "$.notification",
        next: "Any failure?",
        catchTo: "Failed",
      }),
      "Any failure?": {
        Type: "Choice",
        Choices: [{ Variable: "$.notification.failed", NumericGreaterThan: 0, Next: "Failed" }],
        Default: "Done",
      },
      "Notify failure": producerFailureNotice(arns, options, "Failed"),
      Done: { Type: "Succeed" },
      Failed: { Type: "Fail", Error: "ReplicationFailed", Cause: "see the failure notification and the step logs" },
    },
  };
}

/**
 * Consumer: copy under own key, wait for it, optionally restore + wait + switch the secret, retention,
 * notification. Any failure: failure notification, then the run fails with the step's error.
 */
export function consumerDefinition(arns: LambdaArns, options: DefinitionOptions = {}): State {
  return {
    Comment: "rds-replication consumer: copy -> (restore -> switch -> cleanup) -> retention",
    StartAt: "Start",
    States: {
      Start: {
        Type: "Pass",
        Parameters: {
          "announcement.$": "$",
          "execution.$": "$$.Execution.Id",
          "startedAt.$": "$$.Execution.StartTime",
        },
        Next: "Copy snapshot",
      },
      "Copy snapshot": taskState(arns, options, {
        key: "consumer-copy",
        resultPath: "$.copy",
        next: "Copy admitted?",
        catchTo: "Send give-up receipt",
      }),
      ...admissionLoop(
        { admitted: "Copy admitted?", wait: "Wait for a copy slot", step: "Copy snapshot" },
        { resultPath: "$.copy", next: "Copy awaits event?" },
      ),
      ...copyAwait(
        arns,
        { awaits: "Copy awaits event?", await: "Await copy" },
        {
          key: "consumer-await-copy",
          targetPath: "$.copy.snapshot",
          operationPath: "$.copy.operation",
          progressPath: "$.copy.poll",
          pollCheck: "Check copy",
          next: "Send receipt",
          catchTo: "Discard failed copy",
        },
      ),
      ...pollLoop(
        arns,
        options,
        { check: "Check copy", ready: "Copy ready?", wait: "Wait for copy" },
        {
          key: "consumer-poll",
          targetPath: "$.copy.snapshot",
          operationPath: "$.copy.operation",
          progressPath: "$.copy.poll",
          next: "Send receipt",
          catchTo: "Discard failed copy",
        },
      ),
      // The copy never became available: this run's own, incomplete copy goes (functions/steps/consumer/discard.ts).
      "Discard failed copy": taskState(arns, options, {
        key: "consumer-discard",
        resultPath: "$.discard",
        next: "Send give-up receipt",
        catchTo: "Send give-up receipt",
      }),
      // Receipts to the source (functions/steps/consumer/sendReceipt.ts): done with the announced snapshot.
      ...receiptStates(arns, options),
      "Restore?": {
        Type: "Choice",
        Choices: [{ Variable: "$.copy.restore", BooleanEquals: true, Next: "Restore database" }],
        Default: "Apply retention",
      },
      "Restore database": taskState(arns, options, {
        key: "consumer-restore",
        resultPath: "$.restore",
        next: "Restore started?",
        catchTo: "Notify failure",
      }),
      // Skipped: the secret already holds newer data, or the target's restores per day are used up.
      "Restore started?": {
        Type: "Choice",
        Choices: [{ Variable: "$.restore.skipped", IsPresent: true, Next: "Apply retention" }],
        Default: "Check restore",
      },
      ...pollLoop(
        arns,
        options,
        { check: "Check restore", ready: "Restore ready?", wait: "Wait for restore" },
        {
          key: "consumer-poll",
          targetPath: "$.restore.restored",
          operationPath: "$.restore.operation",
          progressPath: "$.restore.poll",
          next: "Switch endpoint",
          catchTo: "Notify failure",
        },
      ),
      "Switch endpoint": taskState(arns, options, {
        key: "consumer-switch",
        resultPath: "$.switch",
        next: "Lift deletion protection",
        catchTo: "Notify failure",
      }),
      // Two roles: one may only lift deletion protection, the other may only delete.
      "Lift deletion protection": taskState(arns, options, {
        key: "consumer-unprotect",
        resultPath: "$.unprotect",
        next: "Clean up restored",
        catchTo: "Notify failure",
      }),
      "Clean up restored": taskState(arns, options, {
        key: "consumer-cleanup",
        resultPath: "$.cleanup",
        next: "Apply retention",
        catchTo: "Notify failure",
      }),
      "Apply retention": taskState(arns, options, {
        key: "consumer-retention",
        resultPath: "$.retention",
        next: "Notify success",
        catchTo: "Notify failure",
      }),
      "Notify success": taskState(arns, options, {
        key: "consumer-notify",
        parameters: notifyParameters("consumer", "succeeded", "$.startedAt"),
        resultPath: "$.notification",
        next: "Done",
        catchTo: "Failed",
      }),
      "Notify failure": taskState(arns, options, {
        key: "consumer-notify",
        parameters: notifyParameters("consumer", "failed", "$.startedAt"),
        resultPath: "$.notification",
        next: "Failed",
        catchTo: "Failed",
      }),
      Done: { Type: "Succeed" },
      Failed: { Type: "Fail", ErrorPath: "$.error.Error", CausePath: "$.error.Cause" },
    },
  };
}

/**
 * The consumer's receipts: "copied" once the copy is available (then on to the refresh), "gave-up" when the run
 * fails before (then on to the failure notification). Best effort: a failed receipt goes on, keeping `$.error`
 * (the run's own failure) as it is; the source's bound covers a lost receipt.
 */
function receiptStates(arns: LambdaArns, options: DefinitionOptions): Record<string, State> {
  const receipt = (name: string, outcome: "copied" | "gave-up", next: string): [string, State] => [
    name,
    {
      ...taskState(arns, options, {
        key: "consumer-receipt",
        parameters: { "announcement.$": "$.announcement", outcome, "execution.$": "$$.Execution.Id" },
        resultPath: "$.receipt",
        next,
        catchTo: next,
      }),
      Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.receiptError", Next: next }],
    },
  ];
  return Object.fromEntries([
    receipt("Send receipt", "copied", "Restore?"),
    receipt("Send give-up receipt", "gave-up", "Notify failure"),
  ]);
}

/**
 * Restore test of one database (input `{ "database": ..., "kind": "instance" | "cluster" }`, from its schedule
 * or `aws stepfunctions start-execution`): restore the newest copy -> wait until available -> verify -> (Aurora
 * with `dataApiSelect`: SELECT 1 through the Data API, retried while RDS readies it) -> delete -> report passed. Any failure before the delete still deletes, then reports failed and fails the run (the
 * failed-test alarm counts failed executions). The test database's name comes from the database and the
 * execution's start time, so the delete finds it even when the start step failed after restoring.
 */
export function restoreTestDefinition(arns: LambdaArns, options: DefinitionOptions = {}): State {
  const deleteAfterFailure = taskState(arns, options, {
    key: "consumer-restore-test-delete",
    resultPath: "$.deleted",
    next: "Test failed",
    catchTo: "Test failed",
  });
  // The first failure is what the report names: a failed delete after it goes to its own path.
  deleteAfterFailure.Catch = [{ ErrorEquals: ["States.ALL"], ResultPath: "$.deleteError", Next: "Test failed" }];
  return {
    Comment: "rds-replication restore test: restore newest copy -> available -> verify -> delete -> report",
    StartAt: "Start",
    States: {
      Start: {
        Type: "Pass",
        Parameters: {
          "database.$": "$.database",
          "kind.$": "$.kind",
          "execution.$": "$$.Execution.Id",
          "startedAt.$": "$$.Execution.StartTime",
        },
        Next: "Restore test database",
      },
      "Restore test database": taskState(arns, options, {
        key: "consumer-restore-test-start",
        resultPath: "$.test",
        next: "Check test database",
        catchTo: "Delete after failure",
      }),
      ...pollLoop(
        arns,
        options,
        { check: "Check test database", ready: "Test database ready?", wait: "Wait for test database" },
        {
          key: "consumer-poll",
          targetPath: "$.test.restored",
          operationPath: "$.test.operation",
          progressPath: "$.test.poll",
          next: "Verify test database",
          catchTo: "Delete after failure",
        },
      ),
      "Verify test database": taskState(arns, options, {
        key: "consumer-restore-test-verify",
        resultPath: "$.verified",
        next: "Query with the Data API?",
        catchTo: "Delete after failure",
      }),
      "Query with the Data API?": {
        Type: "Choice",
        Choices: [{ Variable: "$.test.dataApi", BooleanEquals: true, Next: "Query test database" }],
        Default: "Delete test database",
      },
      "Query test database": taskState(arns, options, {
        key: "consumer-restore-test-query",
        resultPath: "$.queried",
        next: "Delete test database",
        catchTo: "Delete after failure",
      }),
      "Delete test database": taskState(arns, options, {
        key: "consumer-restore-test-delete",
        resultPath: "$.deleted",
        next: "Test passed",
        catchTo: "Test failed",
      }),
      "Test passed": { Type: "Pass", Result: "passed", ResultPath: "$.outcome", Next: "Report pass" },
      "Report pass": taskState(arns, options, {
        key: "consumer-restore-test-report",
        resultPath: "$.report",
        next: "Done",
        catchTo: "Failed",
      }),
      "Delete after failure": deleteAfterFailure,
      "Test failed": { Type: "Pass", Result: "failed", ResultPath: "$.outcome", Next: "Report failure" },
      "Report failure": taskState(arns, options, {
        key: "consumer-restore-test-report",
        resultPath: "$.report",
        next: "Failed",
        catchTo: "Failed",
      }),
      Done: { Type: "Succeed" },
      Failed: { Type: "Fail", Error: "RestoreTestFailed", Cause: "see the restore test report on the notify topic" },
    },
  };
}
