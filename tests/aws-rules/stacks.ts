// The stacks the AWS-rules suites check: both example stacks (shared with the security suites) and a large
// configuration, 200 databases with 20-30 character identifiers, 20 destination accounts in 3 regions, and
// a dest stack of one of those accounts with an RPO override per database, all evaluated under mocks.
import { DEST_ACCOUNT, evaluateStack, type StackEvaluation, stackFileConfig } from "../../testkit";
import { exampleStacks } from "../security/emitted";

export const LARGE = { databases: 200, destinations: 20, regions: ["eu-central-1", "us-east-1", "eu-west-1"] };
const SOURCE_STACK = "acme/rds-replication/source";

/** Identifier i: a valid RDS identifier of 20 to 30 characters, unique per i. */
export function databaseIdentifier(i: number): string {
  const id = `db${String(i).padStart(3, "0")}-replicated-database-identifier`.slice(0, 20 + (i % 11));
  return id.endsWith("-") ? `${id.slice(0, -1)}x` : id;
}

export function largeSourceConfig(): Record<string, unknown> {
  const names = Array.from({ length: LARGE.databases }, (_, i) => databaseIdentifier(i));
  return {
    ...stackFileConfig("source"),
    "rds-replication:instances": names.filter((_, i) => i % 2 === 0),
    "rds-replication:clusters": names.filter((_, i) => i % 2 === 1),
    "rds-replication:destinations": Array.from(
      { length: LARGE.destinations },
      (_, i) => `${Number(DEST_ACCOUNT) + i}/${LARGE.regions[i % LARGE.regions.length]}`,
    ),
  };
}

export function largeDestConfig(): Record<string, unknown> {
  return {
    ...stackFileConfig("dest"),
    "aws:region": LARGE.regions[0],
    "rds-replication:refreshAvailabilityZones": [`${LARGE.regions[0]}a`, `${LARGE.regions[0]}b`],
    // Two refresh targets among the source's databases (an instance and a cluster), as Pulumi.dest.yaml has.
    "rds-replication:refreshTargets": [0, 1].map((i) => ({
      database: databaseIdentifier(i),
      kind: i % 2 === 0 ? "instance" : "cluster",
      instanceClass: i % 2 === 0 ? "db.t4g.medium" : "db.r6g.large",
      secretName: `rds-replication/${databaseIdentifier(i)}`,
      instancePrefix: `dev-${i}`,
    })),
    "rds-replication:rpoOverrides": Array.from({ length: LARGE.databases }, (_, i) => `${databaseIdentifier(i)}=4`),
  };
}

export interface CheckedStack {
  readonly label: string;
  readonly stack: StackEvaluation;
}

let stacks: Promise<CheckedStack[]> | undefined;

/** The four stacks, evaluated one after the other (mocks are process-global). */
export function checkedStacks(): Promise<CheckedStack[]> {
  stacks ??= (async () => {
    const { source, dest } = await exampleStacks();
    const largeSource = await evaluateStack({ config: largeSourceConfig(), stack: "source" });
    const largeDest = await evaluateStack({
      config: largeDestConfig(),
      stack: "dest",
      stackOutputs: { [SOURCE_STACK]: largeSource.outputs },
    });
    return [
      { label: "example source stack", stack: source },
      { label: "example dest stack", stack: dest },
      { label: "large source stack (200 databases, 20 destinations, 3 regions)", stack: largeSource },
      { label: "large dest stack (200 RPO overrides)", stack: largeDest },
    ];
  })();
  return stacks;
}
