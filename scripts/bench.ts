// `npm run bench`: the seven figures of issue 7, figure 8 (Step Functions limits, issue 10), figure 9
// (a backlog through admission, issue 13) and figure 10 (detection latency with copy-finished events, issue 13). Table on stdout, JSON in bench-results/bench.json, progress
// on stderr. Figures 2, 6 and 8 run on the moto emulator (started here, stopped at the end), 4 under Pulumi
// mocks, 1 and 5 in process, 7 as a child `npm test` (last, so nothing else competes for the 2 cores).
import "../testkit/setup";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { resetEmulator, startEmulator, stopEmulator } from "../testkit";
import { archiveFigure } from "./bench/archives";
import { parseArgs } from "./bench/args";
import { backlogFigure } from "./bench/backlog";
import { costFigure } from "./bench/costRun";
import { figure9 } from "./bench/figure9";
import { eventLatencyFigure, figure10 } from "./bench/figure10";
import { figure1, figure2, figure3, figure4, figure5, figure6, figure7, figure8 } from "./bench/figures";
import { latencyFigure } from "./bench/latency";
import { programFigure } from "./bench/program";
import { type FigureResult, formatFigure, formatTable, summaryTable } from "./bench/report";
import { retentionFigure } from "./bench/retention";
import { scaleFigure } from "./bench/scale";
import { stepFunctionsFigure } from "./bench/stepFunctionsLimits";
import { testTimingFigure } from "./bench/testTiming";

// Figure 6 keeps 200 copies in one account and region: more than RDS's default quota of 100 manual snapshots
// per region (adjustable), which moto enforces too. The run assumes the raised quota such a fleet needs.
export const SNAPSHOT_QUOTA = "1000";

const progress = (line: string) => process.stderr.write(`[bench] ${line}\n`);

type Runner = () => Promise<Omit<FigureResult, "seconds">>;

const EMULATOR_FIGURES = new Set([2, 6, 8]);

const RUNNERS: Record<number, Runner> = {
  1: async () => figure1(latencyFigure()),
  2: async () => figure2(await costFigure()),
  3: async () => figure3(await archiveFigure()),
  4: async () => figure4(await programFigure(progress)),
  5: async () => figure5(retentionFigure()),
  6: async () => figure6(await scaleFigure(progress)),
  7: async () => figure7(await testTimingFigure()),
  8: async () => figure8(await stepFunctionsFigure(progress)),
  9: async () => figure9(backlogFigure()),
  10: async () => figure10(eventLatencyFigure()),
};

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  const results: FigureResult[] = [];
  const needsEmulator = options.figures.some((f) => EMULATOR_FIGURES.has(f));
  // Figure 8's 500 databases each get an automated snapshot, which moto (unlike AWS) counts against the quota.
  if (options.figures.some((f) => f === 6 || f === 8)) process.env.MOTO_RDS_SNAPSHOT_LIMIT ??= SNAPSHOT_QUOTA;
  if (needsEmulator) progress(`AWS emulator (moto) on ${await startEmulator()}`);
  try {
    for (const figure of options.figures) {
      if (figure === 7 && needsEmulator) await stopEmulator();
      progress(`figure ${figure} ...`);
      if (EMULATOR_FIGURES.has(figure)) await resetEmulator();
      const started = process.hrtime.bigint();
      const result = { ...(await RUNNERS[figure]!()), seconds: Number(process.hrtime.bigint() - started) / 1e9 };
      results.push(result);
      progress(`figure ${figure} done in ${result.seconds.toFixed(1)} s`);
      process.stdout.write(`${formatFigure(result)}\n\n`);
    }
  } finally {
    await stopEmulator();
  }
  process.stdout.write(`${formatTable(summaryTable(results))}\n`);
  const file = path.resolve(options.output);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const machine = { node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model, platform: os.platform() };
  fs.writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), machine, figures: results }, null, 2)}\n`);
  progress(`JSON written to ${path.relative(process.cwd(), file)}`);
  return results.every((r) => r.checks.every((c) => c.verdict === "PASS")) ? 0 : 1;
}

// An interrupted run still stops the emulator (testkit/emulator/lifecycle.ts kills it on exit).
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(130));

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    process.stderr.write(`bench failed: ${error.stack ?? error.message}\n`);
    process.exitCode = 2;
  },
);
