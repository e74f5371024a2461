// Figure 7: `npm test` (typecheck, lint, every suite) timed as a child process, its output kept out of the
// benchmark's stdout.
import { spawn } from "node:child_process";
import { PROJECT_ROOT } from "../../components/lambda";

export async function testTimingFigure(): Promise<{ seconds: number; exitCode: number; summary: string[] }> {
  const started = process.hrtime.bigint();
  const output: string[] = [];
  const exitCode = await new Promise<number>((resolve, reject) => {
    // The suites' own emulator must keep moto's default snapshot quota (a test relies on it), not the bench's.
    const { MOTO_RDS_SNAPSHOT_LIMIT: _raised, ...env } = process.env;
    const child = spawn("npm", ["test"], { cwd: PROJECT_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve(code ?? 1));
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const summary = output
    .join("")
    .split("\n")
    // Mocha's totals, then the title line of each failure ("  1) suite", "       test:").
    .filter((line) => /^\s+\d+ (passing|failing|pending)/.test(line) || /^\s+\d+\) \S/.test(line))
    .map((line) => line.trim());
  return { seconds, exitCode, summary };
}
