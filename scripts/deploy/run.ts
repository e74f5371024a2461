import { EXIT, type ExitCode } from "./errors";
import type { StackRunner } from "./runner";

export type Mode = "up" | "preview";

export interface Console {
  write(line: string): void;
  /** Milliseconds; injected so elapsed times are testable. */
  now(): number;
}

export interface RunReport {
  exitCode: ExitCode;
  completed: string[];
  drifted: string[];
  failed?: { stack: string; reason: string };
  notRun: string[];
}

/**
 * Runs the stacks one after another in the given order and stops at the first failure: a destination must not
 * be brought up against a source that failed. Drift does not stop a preview, so one run names every drifted stack.
 */
export async function runStacks(
  mode: Mode,
  stacks: readonly string[],
  runner: StackRunner,
  out: Console,
): Promise<RunReport> {
  const start = out.now();
  const report: RunReport = { exitCode: EXIT.ok, completed: [], drifted: [], notRun: [] };
  for (const [i, stack] of stacks.entries()) {
    const tag = `[${i + 1}/${stacks.length}] ${stack}: ${mode}`;
    const stepStart = out.now();
    const elapsed = () => seconds(out.now() - stepStart);
    out.write(`==> ${tag}`);
    const lines = linePrefixer(`[${stack}] `, out.write);
    try {
      if (mode === "up") {
        await runner.up(stack, lines.push);
        lines.flush();
        out.write(`<== ${tag} done in ${elapsed()}`);
      } else {
        const outcome = await runner.preview(stack, lines.push);
        lines.flush();
        if (outcome === "drift") report.drifted.push(stack);
        out.write(`<== ${tag} ${outcome === "drift" ? "DRIFT" : "no drift"} in ${elapsed()}`);
      }
      report.completed.push(stack);
    } catch (err) {
      lines.flush();
      const reason = err instanceof Error ? err.message : String(err);
      out.write(`!!! ${tag} FAILED after ${elapsed()}: ${reason}`);
      report.failed = { stack, reason };
      report.notRun = stacks.slice(i + 1);
      break;
    }
  }
  report.exitCode = report.failed ? EXIT.failure : report.drifted.length > 0 ? EXIT.drift : EXIT.ok;
  for (const line of summary(mode, report, seconds(out.now() - start))) out.write(line);
  return report;
}

function summary(mode: Mode, report: RunReport, total: string): string[] {
  const lines: string[] = [];
  if (report.failed) {
    lines.push(`Stopped at stack ${report.failed.stack}: ${report.failed.reason}`);
    if (report.notRun.length > 0) lines.push(`Not run: ${report.notRun.join(", ")}`);
  }
  if (report.drifted.length > 0) {
    lines.push(`Drift in ${report.drifted.length} stack(s): ${report.drifted.join(", ")}`);
  }
  if (!report.failed && report.drifted.length === 0) {
    const what = mode === "up" ? "up to date" : "without drift";
    lines.push(`${report.completed.length} stack(s) ${what} in ${total}`);
  }
  return lines;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** Engine output arrives in chunks; prefix each whole line with the stack so interleaved logs stay readable. */
export function linePrefixer(prefix: string, write: (line: string) => void) {
  let partial = "";
  return {
    push: (chunk: string) => {
      const parts = (partial + chunk).split(/\r?\n/);
      partial = parts.pop() ?? "";
      for (const line of parts) write(prefix + line);
    },
    flush: () => {
      if (partial !== "") write(prefix + partial);
      partial = "";
    },
  };
}
