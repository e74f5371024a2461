// Order statistics for the benchmark's tables. Nearest-rank percentiles: every figure reported is a value
// that was really observed, never an interpolation between two runs.

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError("percentile of no values");
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export const median = (values: readonly number[]): number => percentile(values, 50);

export interface Summary {
  count: number;
  median: number;
  p95: number;
  worst: number;
}

export function summarize(values: readonly number[]): Summary {
  return { count: values.length, median: median(values), p95: percentile(values, 95), worst: Math.max(...values) };
}

/** Runs `fn` `warmUp` times untimed, then `runs` times; returns each timed run's milliseconds. */
export function timeRuns(fn: () => void, runs: number, warmUp = 2): number[] {
  for (let i = 0; i < warmUp; i++) fn();
  return Array.from({ length: runs }, () => {
    const started = process.hrtime.bigint();
    fn();
    return Number(process.hrtime.bigint() - started) / 1e6;
  });
}
