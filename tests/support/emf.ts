// What a handler prints as CloudWatch embedded metric format (EMF) lines, read back in tests.

/** Everything written to stdout while `fn` runs (Powertools prints EMF there), as parsed JSON lines. */
export async function stdoutOf(fn: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    lines.push(String(chunk));
    return write(chunk, ...rest);
  }) as typeof process.stdout.write;
  try {
    await fn().catch(() => undefined);
  } finally {
    process.stdout.write = write;
  }
  return lines
    .join("")
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

export interface Emf {
  _aws: {
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
  };
  [key: string]: unknown;
}
export const metricsIn = (lines: Record<string, unknown>[]) => lines.filter((l): l is Emf => "_aws" in l);
export const named = (lines: Emf[], name: string) =>
  lines.filter((l) => l._aws.CloudWatchMetrics.some((m) => m.Metrics.some((x) => x.Name === name)));
