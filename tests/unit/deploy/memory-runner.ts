// An in-memory StackRunner (our own interface, scripts/deploy/runner.ts): each stack gets a scripted outcome and
// some engine output, and every call is recorded so tests can see what ran and in which order.
import type { StackRunner } from "../../../scripts/deploy/runner";

export type Scripted = "ok" | "drift" | { fail: string };

export function memoryRunner(outcomes: Record<string, Scripted> = {}, output: Record<string, string[]> = {}) {
  const calls: string[] = [];
  const act = (op: string, stack: string, onOutput: (chunk: string) => void) => {
    calls.push(`${op} ${stack}`);
    for (const chunk of output[stack] ?? []) onOutput(chunk);
    const outcome = outcomes[stack] ?? "ok";
    if (typeof outcome === "object") return Promise.reject(new Error(outcome.fail));
    return Promise.resolve(outcome);
  };
  const runner: StackRunner = {
    up: async (stack, onOutput) => {
      const outcome = await act("up", stack, onOutput);
      if (outcome === "drift") throw new Error("drift is not an outcome of up");
    },
    preview: async (stack, onOutput) => ((await act("preview", stack, onOutput)) === "drift" ? "drift" : "clean"),
  };
  return { runner, calls };
}

/** A console whose clock advances one second per reading, so elapsed times are predictable. */
export function recordingConsole() {
  const lines: string[] = [];
  let ms = 0;
  return {
    lines,
    out: {
      write: (line: string) => {
        lines.push(line);
      },
      now: () => {
        ms += 1000;
        return ms;
      },
    },
  };
}
