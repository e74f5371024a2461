// Runs the demo's steps one after another, showing one line per step with its elapsed time, and stops at the
// first failure with the step's name and the reason.

export interface Step<C> {
  title: string;
  run: (context: C) => Promise<void>;
}

export interface Timing {
  title: string;
  /** Seconds from the start of the first step: the report's timeline places each step by it. */
  startedAt: number;
  seconds: number;
  ok: boolean;
}

export interface StepsOutcome {
  timings: Timing[];
  failure?: { title: string; message: string };
}

export interface ProgressOutput {
  write(text: string): void;
  /** True on a terminal: the running line is shown, then replaced by its result. */
  isTTY?: boolean;
}

export async function runSteps<C>(
  steps: readonly Step<C>[],
  context: C,
  out: ProgressOutput,
  now: () => number = () => performance.now(),
): Promise<StepsOutcome> {
  const timings: Timing[] = [];
  const first = now();
  for (const [index, step] of steps.entries()) {
    const label = `[${index + 1}/${steps.length}] ${step.title}`;
    if (out.isTTY) out.write(`  ..  ${label}`);
    const started = now();
    const finish = (ok: boolean) => {
      const seconds = (now() - started) / 1000;
      timings.push({ title: step.title, startedAt: (started - first) / 1000, seconds, ok });
      out.write(`${out.isTTY ? "\r" : ""}  ${ok ? "ok" : "FAIL"}  ${label} (${seconds.toFixed(2)} s)\n`);
    };
    try {
      await step.run(context);
      finish(true);
    } catch (error) {
      finish(false);
      return { timings, failure: { title: step.title, message: (error as Error)?.message ?? String(error) } };
    }
  }
  return { timings };
}
