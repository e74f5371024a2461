// Executes a state machine definition (the very object components/stateMachines.ts builds) with
// aws-local-stepfunctions: every Task is mapped, through the step key in its Lambda ARN, to a handler; Wait
// states and retry intervals are shortened to 0 so polls and backoffs cost no time.
import { ExecutionError, StateMachine } from "aws-local-stepfunctions";

export type TaskHandler = (input: unknown) => Promise<unknown>;

/** Lambda ARNs whose function name is the step key, so a Task's Resource names its step. */
export function fakeLambdaArns(keys: string[], account: string, region: string): Record<string, string> {
  return Object.fromEntries(keys.map((key) => [key, `arn:aws:lambda:${region}:${account}:function:${key}`]));
}

interface Collected {
  tasks: Record<string, string>;
  waits: string[];
}

function collect(states: Record<string, Record<string, unknown>>, into: Collected): void {
  for (const [name, state] of Object.entries(states)) {
    if (state.Type === "Task") {
      if (name in into.tasks) throw new Error(`state name ${name} is used twice`);
      into.tasks[name] = String(state.Resource).split(":function:")[1] ?? "";
    }
    if (state.Type === "Wait") into.waits.push(name);
    const processor = (state.ItemProcessor ?? state.Iterator) as { States: Record<string, Record<string, unknown>> };
    if (processor) collect(processor.States, into);
    for (const branch of (state.Branches ?? []) as { States: Record<string, Record<string, unknown>> }[]) {
      collect(branch.States, into);
    }
  }
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

export async function execute(
  definition: object,
  handlers: Record<string, TaskHandler>,
  input: unknown,
  executionId = "arn:aws:states:eu-central-1:222222222222:execution:test:run",
  options: { measureStates?: boolean } = {},
): Promise<Execution> {
  const found: Collected = { tasks: {}, waits: [] };
  collect((definition as { States: Record<string, Record<string, unknown>> }).States, found);
  const calls: string[] = [];
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
      return [state, run];
    }),
  );
  const machine = new StateMachine(definition as never, { validationOptions: { checkArn: true } });
  const run = machine.run(input as never, {
    overrides: {
      taskResourceLocalHandlers: taskResourceLocalHandlers as never,
      waitTimeOverrides: Object.fromEntries(found.waits.map((name) => [name, 0])),
      retryIntervalOverrides: Object.fromEntries(Object.keys(found.tasks).map((name) => [name, 0])),
    },
    context: { Execution: { Id: executionId } } as never,
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
