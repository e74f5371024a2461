// Executes a state machine definition (the very object components/stateMachines.ts builds) with
// aws-local-stepfunctions: every Task is mapped, through the step key in its Lambda ARN, to a handler; Wait
// states and retry intervals are shortened to 0 so polls and backoffs cost no time.
// aws-local-stepfunctions 3.0.0 has no `.waitForTaskToken`: such a Task is run here as Step Functions runs it.
// It gets a fresh token from the emulator (launcher block 11) in `$$.Task.Token`, invokes its Lambda's handler
// with the Parameters' Payload, then waits until SendTaskSuccess/SendTaskFailure, made to the emulator by any
// handler, completes the token (the Task's output, or its error), or until its TimeoutSeconds(Path) passes:
// then the token is ended and the Task fails with States.Timeout. The timeout is scaled (`tokenTimeoutMs`) and
// the handlers' fast-forward clocks are moved on by the full timeout (and back when the run ends), so a fallback
// turn costs no real minutes.
import { ExecutionError, StateMachine } from "aws-local-stepfunctions";
import { WAIT_FOR_TASK_TOKEN } from "../components/stateMachines";
import { advanceClock } from "./clock";
import { taskToken } from "./emulator/lifecycle";

export type TaskHandler = (input: unknown) => Promise<unknown>;

/** Lambda ARNs whose function name is the step key, so a Task's Resource names its step. */
export function fakeLambdaArns(keys: string[], account: string, region: string): Record<string, string> {
  return Object.fromEntries(keys.map((key) => [key, `arn:aws:lambda:${region}:${account}:function:${key}`]));
}

interface Collected {
  tasks: Record<string, string>;
  /** The `.waitForTaskToken` Tasks among `tasks`. */
  tokenTasks: Set<string>;
  waits: string[];
}

type States = Record<string, Record<string, unknown>>;

// Stands for `$$.Task.Token` in the run's context; each token Task's invocation replaces it with a fresh token.
const TOKEN_PLACEHOLDER = "local-task-token";
// Where the runner carries a token Task's timeout into its handler (evaluated as Step Functions evaluates the
// TimeoutSecondsPath, against the state's input), and the timeout left to the library: beyond any test.
const RUNNER_TIMEOUT = "__runnerTimeoutSeconds";
const LIBRARY_TIMEOUT_SECONDS = 2_000_000;

function collect(states: States, into: Collected): void {
  for (const [name, state] of Object.entries(states)) {
    if (state.Type === "Task") {
      if (name in into.tasks) throw new Error(`state name ${name} is used twice`);
      const byToken = state.Resource === WAIT_FOR_TASK_TOKEN;
      const arn = byToken ? (state.Parameters as { FunctionName?: string }).FunctionName : state.Resource;
      into.tasks[name] = String(arn).split(":function:")[1] ?? "";
      if (byToken) into.tokenTasks.add(name);
    }
    if (state.Type === "Wait") into.waits.push(name);
    const processor = (state.ItemProcessor ?? state.Iterator) as { States: Record<string, Record<string, unknown>> };
    if (processor) collect(processor.States, into);
    for (const branch of (state.Branches ?? []) as { States: Record<string, Record<string, unknown>> }[]) {
      collect(branch.States, into);
    }
  }
}

/** The definition the library runs: each token Task's timeout moved into its Parameters, for the runner. */
function forLibrary(states: States): States {
  return Object.fromEntries(
    Object.entries(states).map(([name, state]) => {
      const processor = state.ItemProcessor as { StartAt: string; States: States } | undefined;
      if (processor) return [name, { ...state, ItemProcessor: { ...processor, States: forLibrary(processor.States) } }];
      if (state.Resource !== WAIT_FOR_TASK_TOKEN) return [name, state];
      const { TimeoutSecondsPath, TimeoutSeconds, ...rest } = state;
      const timeout = TimeoutSecondsPath
        ? { [`${RUNNER_TIMEOUT}.$`]: TimeoutSecondsPath }
        : { [RUNNER_TIMEOUT]: TimeoutSeconds ?? 99_999_999 };
      return [
        name,
        {
          ...rest,
          TimeoutSeconds: LIBRARY_TIMEOUT_SECONDS,
          Parameters: { ...(state.Parameters as object), ...timeout },
        },
      ];
    }),
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A Task error as the library's Retry and Catch match it: by name. */
function taskError(name: string, cause: string): Error {
  const error = new Error(cause);
  error.name = name;
  return error;
}

/**
 * Runs one `.waitForTaskToken` Task: a fresh token, the handler invoked with the Payload (a handler error fails
 * the Task, as a failed Invoke does), then the token's outcome, or States.Timeout once `timeoutMs` passed.
 */
async function runTokenTask(
  input: { Payload?: unknown; [RUNNER_TIMEOUT]?: number },
  invoke: (payload: unknown) => Promise<unknown>,
  timeoutMs: (seconds: number) => number,
  clock: { advanced: number },
): Promise<unknown> {
  const { token } = await taskToken("issue");
  const timeoutSeconds = Number(input[RUNNER_TIMEOUT]);
  await invoke(
    JSON.parse(
      JSON.stringify(input.Payload ?? {})
        .split(TOKEN_PLACEHOLDER)
        .join(token),
    ),
  );
  const deadline = Date.now() + timeoutMs(timeoutSeconds);
  let outcome = await taskToken("read", token);
  while (outcome.status === "PENDING" && Date.now() < deadline) {
    await sleep(5);
    outcome = await taskToken("read", token);
  }
  // Ending the token answers its final state: a completion that came in at the last moment is kept.
  if (outcome.status === "PENDING") outcome = await taskToken("time-out", token);
  if (outcome.status === "SUCCEEDED") return JSON.parse(outcome.output ?? "null");
  if (outcome.status === "FAILED") throw taskError(outcome.error ?? "States.TaskFailed", outcome.cause ?? "");
  advanceClock(timeoutSeconds * 1000);
  clock.advanced += timeoutSeconds * 1000;
  throw taskError("States.Timeout", `the Task's timeout of ${timeoutSeconds} s passed without its token completed`);
}

export interface Execution {
  status: "SUCCEEDED" | "FAILED";
  output?: unknown;
  error?: string;
  cause?: string;
  /** Step keys in the order their Tasks ran (retries included). */
  calls: string[];
  /** With `measureStates`: the largest input or output of any state (UTF-8 bytes of its JSON) and its state. */
  largestState: { bytes: number; state: string };
}

const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value ?? null), "utf8");

export interface ExecuteOptions {
  measureStates?: boolean;
  /**
   * Real milliseconds a `.waitForTaskToken` Task waits for its token before States.Timeout, given its timeout in
   * seconds (default 25 ms: a copy settled at registration completes at once, and a copy that never finishes
   * turns through its fallback checks quickly). A test that delivers the event itself gives a long one.
   */
  tokenTimeoutMs?: (timeoutSeconds: number) => number;
}

export async function execute(
  definition: object,
  handlers: Record<string, TaskHandler>,
  input: unknown,
  executionId = "arn:aws:states:eu-central-1:222222222222:execution:test:run",
  options: ExecuteOptions = {},
): Promise<Execution> {
  const found: Collected = { tasks: {}, tokenTasks: new Set(), waits: [] };
  const { States: states, ...top } = definition as { States: States };
  collect(states, found);
  const calls: string[] = [];
  // The time this run's Task timeouts moved the clocks on, given back when it ends: the process's other runs
  // and tests keep their own sense of time.
  const clock = { advanced: 0 };
  // Handlers run with process.env pointed at one account; running them one at a time keeps that consistent.
  let queue: Promise<unknown> = Promise.resolve();
  const taskResourceLocalHandlers = Object.fromEntries(
    Object.entries(found.tasks).map(([state, key]) => {
      const handler = handlers[key];
      if (!handler) throw new Error(`no handler for step ${key} (state ${state})`);
      const run = async (taskInput: unknown) => {
        const turn = queue.then(async () => {
          calls.push(key);
          return handler(taskInput);
        });
        queue = turn.catch(() => undefined);
        return turn;
      };
      if (!found.tokenTasks.has(state)) return [state, run];
      const timeoutMs = options.tokenTimeoutMs ?? (() => 25);
      return [state, (taskInput: never) => runTokenTask(taskInput, run, timeoutMs, clock)];
    }),
  );
  const machine = new StateMachine({ ...top, States: forLibrary(states) } as never, {
    validationOptions: { checkArn: true },
  });
  const run = machine.run(input as never, {
    overrides: {
      taskResourceLocalHandlers: taskResourceLocalHandlers as never,
      waitTimeOverrides: Object.fromEntries(found.waits.map((name) => [name, 0])),
      retryIntervalOverrides: Object.fromEntries(Object.keys(found.tasks).map((name) => [name, 0])),
    },
    context: { Execution: { Id: executionId }, Task: { Token: TOKEN_PLACEHOLDER } } as never,
  });
  // Step Functions' 256 KiB limit applies to every state's input and output (docs/benchmark.md).
  const largestState = { bytes: jsonBytes(input), state: "(execution input)" };
  // The run's event log can be read once (scripts/bench/instrument.ts reads it for figure 2): only on request.
  const watched = (async () => {
    if (!options.measureStates) return;
    for await (const event of run.eventLogs) {
      if (!("state" in event) || !event.state) continue;
      for (const value of [event.state.input, event.state.output]) {
        const bytes = jsonBytes(value);
        if (bytes > largestState.bytes) Object.assign(largestState, { bytes, state: event.state.name });
      }
    }
  })();
  try {
    return await outcomeOf(run, watched, calls, largestState);
  } finally {
    advanceClock(-clock.advanced);
  }
}

async function outcomeOf(
  run: { result: Promise<unknown> },
  watched: Promise<void>,
  calls: string[],
  largestState: Execution["largestState"],
): Promise<Execution> {
  try {
    const output = await run.result;
    await watched;
    return { status: "SUCCEEDED", output, calls, largestState };
  } catch (error) {
    if (!(error instanceof ExecutionError)) throw error;
    await watched.catch(() => undefined);
    const cause = error.cause as { name?: string; message?: string } | undefined;
    return {
      status: "FAILED",
      error: cause?.name ?? error.name,
      cause: cause?.message ?? error.message,
      calls,
      largestState,
    };
  }
}
