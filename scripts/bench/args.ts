// Command line of `npm run bench`.
export interface BenchOptions {
  /** Figures to run (1-10); all by default. */
  figures: number[];
  skipTestTiming: boolean;
  output: string;
}

export const USAGE = `usage: npm run bench -- [--only 1,2,...] [--skip-test-timing] [--output FILE]
  --only              run only these figures (1-10)
  --skip-test-timing  do not run \`npm test\` (figure 7)
  --output            where to write the JSON (default bench-results/bench.json)`;

// Figure 7 runs `npm test` as a child: last, after the emulator figures, so nothing competes for the cores.
const runOrder = (figure: number) => (figure === 7 ? Number.POSITIVE_INFINITY : figure);

export function parseArgs(argv: readonly string[]): BenchOptions {
  const options: BenchOptions = {
    figures: [1, 2, 3, 4, 5, 6, 8, 9, 10, 7],
    skipTestTiming: false,
    output: "bench-results/bench.json",
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
      return next;
    };
    if (arg === "--skip-test-timing") options.skipTestTiming = true;
    else if (arg === "--only") {
      const figures = value()
        .split(",")
        .map((s) => Number(s.trim()));
      if (figures.some((f) => !Number.isInteger(f) || f < 1 || f > 10)) {
        throw new Error(`--only takes figure numbers 1-10, e.g. --only 1,5\n${USAGE}`);
      }
      options.figures = [...new Set(figures)].sort((a, b) => runOrder(a) - runOrder(b));
    } else if (arg === "--output") options.output = value();
    else throw new Error(`unknown option ${arg}\n${USAGE}`);
  }
  if (options.skipTestTiming) options.figures = options.figures.filter((f) => f !== 7);
  return options;
}
