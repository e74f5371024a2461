// Counting what the deployed code does on the emulator without changing it: every AWS SDK v3 client sends
// through one smithy Client.prototype.send, and every execution of aws-local-stepfunctions logs its events.
// Only calls made while a step handler runs are attributed to it; the harness's own calls are not counted.
import { StateMachine } from "aws-local-stepfunctions";
import { stepByKey } from "../../functions/catalog";
import type { TaskHandler } from "../../testkit";
import type { ApiCall, Invocation } from "./cost";

interface SdkClient {
  config: { serviceId?: string };
}
interface SdkCommand {
  constructor: { name: string };
}
type Send = (this: SdkClient, command: SdkCommand, ...rest: unknown[]) => Promise<unknown>;

const smithyClient = require("@smithy/core/client") as { Client: { prototype: { send: Send } } };

// The harness acts in an account by AssumeRole before every handler call (testkit/accounts.ts asLambdaIn);
// a deployed Lambda gets its role's credentials from its environment instead.
const HARNESS_SERVICES = new Set(["STS"]);

export interface Recorder {
  invocations: Invocation[];
  /** StateEntered + StateRetried events of each finished execution, in order of completion. */
  executions: { transitions: number; entered: string[] }[];
  wrap(side: Invocation["side"], step: string, handler: TaskHandler): TaskHandler;
  /** Waits for the event logs of all executions so far, then uninstalls the hooks. */
  stop(): Promise<void>;
}

export function record(): Recorder {
  const invocations: Invocation[] = [];
  const executions: Recorder["executions"] = [];
  const pending: Promise<void>[] = [];
  let current: ApiCall[] | undefined;

  const originalSend = smithyClient.Client.prototype.send;
  smithyClient.Client.prototype.send = function (this: SdkClient, command: SdkCommand, ...rest: unknown[]) {
    const service = this.config.serviceId ?? "unknown";
    if (current && !HARNESS_SERVICES.has(service)) {
      current.push({ service, operation: command.constructor.name.replace(/Command$/, "") });
    }
    return originalSend.call(this, command, ...rest);
  };

  type Run = (
    this: StateMachine,
    ...args: unknown[]
  ) => { eventLogs: AsyncGenerator<{ type: string; state?: { name: string } }> };
  const prototype = StateMachine.prototype as unknown as { run: Run };
  const originalRun = prototype.run;
  prototype.run = function (this: StateMachine, ...args: unknown[]) {
    const execution = originalRun.apply(this, args);
    // Map iterations run as nested machines whose events are forwarded to the root execution's log.
    if ((args[1] as { _rootAbortSignal?: unknown } | undefined)?._rootAbortSignal) return execution;
    pending.push(
      (async () => {
        const entered: string[] = [];
        let transitions = 0;
        for await (const event of execution.eventLogs) {
          if (event.type === "StateEntered") entered.push(event.state?.name ?? "?");
          if (event.type === "StateEntered" || event.type === "StateRetried") transitions += 1;
        }
        executions.push({ transitions, entered });
      })(),
    );
    return execution;
  };

  return {
    invocations,
    executions,
    wrap(side, step, handler) {
      const { memoryMb } = stepByKey(step);
      return async (input) => {
        const calls: ApiCall[] = [];
        current = calls;
        const started = process.hrtime.bigint();
        try {
          return await handler(input);
        } finally {
          current = undefined;
          invocations.push({ side, step, memoryMb, ms: Number(process.hrtime.bigint() - started) / 1e6, calls });
        }
      };
    },
    async stop() {
      await Promise.all(pending);
      smithyClient.Client.prototype.send = originalSend;
      prototype.run = originalRun;
    },
  };
}
