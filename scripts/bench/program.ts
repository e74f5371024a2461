// Figure 4: the Pulumi program evaluated under mocks (testkit/pulumiMocks.ts) for growing source
// stacks. Destinations alternate between the source region and a second region, so half of them need the
// region hop (a provider and a transit key per extra region).
import { evaluateStack, stackFileConfig } from "../../testkit";

export const DATABASE_COUNTS = [1, 10, 50];
export const DESTINATION_COUNTS = [1, 5, 10];
const REGIONS = ["eu-west-1", "eu-central-1"];

export function sourceConfig(databases: number, destinations: number, perDestinationLists = false) {
  const names = Array.from({ length: databases }, (_, i) => `db-${i}`);
  // Half instances, half clusters: both kinds of rules and policies are exercised.
  const instances = names.filter((_, i) => i % 2 === 0);
  const clusters = names.filter((_, i) => i % 2 === 1);
  return {
    ...stackFileConfig("source"),
    "aws:region": REGIONS[0],
    "rds-replication:instances": instances,
    "rds-replication:clusters": clusters,
    "rds-replication:selectorTags": [],
    "rds-replication:destinations": Array.from({ length: destinations }, (_, i) => {
      const base = `${String(200000000000 + i)}/${REGIONS[i % REGIONS.length]}`;
      // Every other database for this destination: a per-destination selection instead of "all".
      return perDestinationLists ? `${base}/${names.filter((_, d) => d % 2 === i % 2).join(",")}` : base;
    }),
  };
}

export interface Evaluation {
  databases: number;
  destinations: number;
  regions: number;
  perDestinationLists: boolean;
  resources: number;
  ms: number;
}

async function timed(databases: number, destinations: number, perDestinationLists = false): Promise<Evaluation> {
  const started = process.hrtime.bigint();
  const result = await evaluateStack({ config: sourceConfig(databases, destinations, perDestinationLists) });
  return {
    databases,
    destinations,
    regions: Math.min(destinations, REGIONS.length),
    perDestinationLists,
    resources: result.resources.length,
    ms: Number(process.hrtime.bigint() - started) / 1e6,
  };
}

export async function programFigure(onProgress: (line: string) => void) {
  // The first evaluation loads the program and @pulumi/aws: timed separately, not part of the grid.
  const warmUp = await timed(1, 1);
  const grid: Evaluation[] = [];
  for (const databases of DATABASE_COUNTS) {
    for (const destinations of DESTINATION_COUNTS) {
      const e = await timed(databases, destinations);
      onProgress(`figure 4: ${databases} x ${destinations}: ${e.resources} resources in ${e.ms.toFixed(0)} ms`);
      grid.push(e);
    }
  }
  const largest = DATABASE_COUNTS.at(-1)!;
  const widest = DESTINATION_COUNTS.at(-1)!;
  const lists = await timed(largest, widest, true);
  return { warmUpMs: warmUp.ms, grid, withPerDestinationLists: lists };
}

/**
 * Resource counts that do not depend on the number of databases, for each destination count. Only grid points
 * with both kinds count: one database is an instance only, and cluster snapshot events need their own rule.
 */
export function independentOfDatabases(grid: readonly Evaluation[]): boolean {
  return DESTINATION_COUNTS.every(
    (d) =>
      new Set(
        grid.filter((e) => e.destinations === d && e.databases > 1 && !e.perDestinationLists).map((e) => e.resources),
      ).size === 1,
  );
}
