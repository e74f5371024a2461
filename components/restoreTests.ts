// Restore tests (DR drills) of a dest stack: per source database, a schedule that restores its newest copy
// into an isolated network, checks it, times it against an RTO and deletes it (components/stateMachines.ts
// restoreTestDefinition). Pure: the args type, the stack-config schema and the checks between tests.
import { z } from "zod";
import { placementFields, placementIssues } from "./refreshTargets";

/** One source database tested (SnapshotConsumerArgs.restoreTests). */
export interface RestoreTest {
  /**
   * The source database identifier (as the source stack names it).
   * @example "orders-db"
   */
  database: string;
  /**
   * `instance` or `cluster` (Aurora), as for a refresh target.
   * @example "instance"
   */
  kind: string;
  /**
   * Instance class of the test database (a cluster's writer for Aurora).
   * @example "db.t4g.medium"
   */
  instanceClass: string;
  /**
   * When the test runs: an EventBridge schedule expression.
   * @default "cron(0 6 ? * SUN *)"
   * @example "rate(7 days)"
   */
  schedule?: string;
  /**
   * Recovery time objective in minutes: a test whose restore takes longer raises the RTO alarm.
   * @default 60
   * @example 45
   */
  rtoMinutes?: number;
  /**
   * Aurora only: also run `SELECT 1` through the RDS Data API on the test cluster. The test turns on RDS's
   * management of the master password (its secret `rds!cluster-...` is deleted with the cluster) and the
   * cluster's HTTP endpoint; the engine and version must support the Data API.
   * @default false
   * @example true
   */
  dataApiSelect?: boolean;
  /**
   * An existing DB subnet group; without it the test uses the isolated network the consumer creates.
   * @example "dr-drills"
   */
  subnetGroupName?: string;
  /**
   * Security groups, only with `subnetGroupName` (the created network has its own group).
   * @default []
   * @example ["sg-0123456789abcdef0"]
   */
  securityGroupIds?: string[];
}

export const RESTORE_TEST_DEFAULTS = { schedule: "cron(0 6 ? * SUN *)", rtoMinutes: 60 } as const;

/** The zod schema of one test as the stack config gives it (plain JSON values). */
export function restoreTestSchema() {
  return z
    .strictObject(
      {
        database: z.string({ error: "expected a source database identifier" }).min(1),
        kind: z.enum(["instance", "cluster"], { error: "expected instance or cluster" }),
        instanceClass: z.string({ error: "expected an RDS instance class such as db.t4g.medium" }),
        // Checked as an EventBridge schedule expression by the stack (stack/config.ts).
        schedule: z.string({ error: "expected a schedule expression" }).default(RESTORE_TEST_DEFAULTS.schedule),
        rtoMinutes: z
          .number({ error: "expected minutes > 0" })
          .positive("expected minutes > 0")
          .default(RESTORE_TEST_DEFAULTS.rtoMinutes),
        dataApiSelect: z.boolean({ error: "expected true or false" }).default(false),
        ...placementFields(),
      },
      { error: "expected an object with database, kind and instanceClass" },
    )
    .superRefine(placementIssues)
    .superRefine((t, ctx) => {
      if (t.dataApiSelect && t.kind !== "cluster")
        ctx.addIssue({
          code: "custom",
          path: ["dataApiSelect"],
          message: "expected only with kind cluster (the Data API serves Aurora clusters)",
        });
    });
}

/** Each database tested once: its one test machine input is `{ database, kind }`. */
export function duplicateTests(tests: readonly Pick<RestoreTest, "database">[]) {
  return tests.flatMap((t, index) =>
    tests.findIndex((o) => o.database === t.database) < index
      ? [{ index, field: "database", message: `expected each database once, ${t.database} is tested twice` }]
      : [],
  );
}
