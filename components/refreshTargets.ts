// Per-database refresh targets of a dest stack: which source database is restored, into what, with which
// secret and how many restored databases it keeps. Pure: the stack-config schema (a list of objects set with
// `pulumi config set --path`), the checks against what the source stacks export, and the migration message
// for the flat `restore*` keys of earlier versions.
import { z } from "zod";
import type { SourceDatabases } from "./sourceOutputs";
import { DB_IDENTIFIER, SECRET_NAME } from "./validation";

/** One source database refreshed in this account (SnapshotConsumerArgs.refresh.targets). */
export interface RefreshTarget {
  /**
   * The source database identifier (as the source stack names it).
   * @example "orders-db"
   */
  database: string;
  /**
   * Whether the source is a DB instance (`instance`) or an Aurora cluster (`cluster`); the consumer refuses
   * anything else. A plain string, since schema inference for other languages refuses literal unions.
   * @example "instance"
   */
  kind: string;
  /**
   * Instance class of the restored database (a cluster's writer for Aurora).
   * @example "db.t4g.medium"
   */
  instanceClass: string;
  /**
   * Secrets Manager secret holding this database's current restored endpoint (one per target).
   * @example "rds-replication/orders-db"
   */
  secretName: string;
  /**
   * Identifier prefix of this database's restored databases (at most 40 characters; `-<timestamp>` follows).
   * @example "orders-dev"
   */
  instancePrefix: string;
  /**
   * Restored databases of this target kept, newest source data first.
   * @default 1
   * @example 2
   */
  keepInstances?: number;
  /**
   * Restores of this target started per UTC day at most; later copies that day are copied, not restored.
   * @default 2
   * @example 1
   */
  maxRestoresPerDay?: number;
  /**
   * An existing DB subnet group; without it the target uses the network the consumer creates.
   * @example "dev-dbs"
   */
  subnetGroupName?: string;
  /**
   * Security groups, only with `subnetGroupName` (the created network has its own group).
   * @default []
   * @example ["sg-0123456789abcdef0"]
   */
  securityGroupIds?: string[];
  /**
   * DB parameter group of restored instances (a cluster parameter group for Aurora); the engine default otherwise.
   * @example "orders-dev-params"
   */
  parameterGroupName?: string;
  /**
   * Option group of restored instances (not for Aurora); the engine default otherwise.
   * @example "orders-dev-options"
   */
  optionGroupName?: string;
  /**
   * An existing secret of that name not created by the program (adopted as it is).
   * @example "arn:aws:secretsmanager:eu-west-1:222222222222:secret:orders-endpoint-AbCdEf"
   */
  existingSecretArn?: string;
}

export const REFRESH_DEFAULTS = { keepInstances: 1, maxRestoresPerDay: 2, cleanupEnabled: true } as const;

/** The keys of earlier versions, one secret and prefix for every database: refused with the new form. */
export const FLAT_RESTORE_KEYS = [
  "restoreEnabled",
  "restoreInstanceClass",
  "restoreSubnetGroupName",
  "restoreNetworkCidr",
  "restoreAvailabilityZones",
  "restoreSecurityGroupIds",
  "restoreSecretName",
  "restoreInstancePrefix",
  "restoreKeepInstances",
] as const;

/** What replaces the flat keys, built from their values so the message can be pasted. */
export function migrationMessage(raw: Record<string, unknown>): string {
  const value = (key: string, fallback: string) =>
    typeof raw[key] === "string" || typeof raw[key] === "number" ? String(raw[key]) : fallback;
  const set = (field: string, v: string) =>
    `pulumi config set --path 'rds-replication:refreshTargets[0].${field}' ${v}`;
  return [
    "the flat restore* keys are replaced by one refresh target per source database (docs/configuration.md); remove them and set, for example:",
    set("database", "<source database>"),
    set("kind", "instance"),
    set("instanceClass", value("restoreInstanceClass", "db.t4g.medium")),
    set("secretName", value("restoreSecretName", "rds-replication/<database>")),
    set("instancePrefix", value("restoreInstancePrefix", "<database>-dev")),
    set("keepInstances", value("restoreKeepInstances", "1")),
  ].join("\n      ");
}

// RDS DB identifiers: a letter first, letters, digits and single hyphens, no trailing hyphen.
const INSTANCE_CLASS = /^db\.([a-z][a-z0-9-]*)\.([a-z0-9]+)$/;
const GROUP_NAME = /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{0,254}(?<!-)$/;

/**
 * Why a class cannot serve a database of this kind, or undefined. botocore's RDS model types
 * DBInstanceClass as a free string (the orderable classes per engine, version and region come from
 * DescribeOrderableDBInstanceOptions, which needs credentials), so only the shape and Aurora's documented
 * class families are checked here: Aurora DB instance classes (Aurora User Guide, "Aurora DB instance
 * classes") are db.serverless, memory-optimized db.r* and db.x2g, and burstable db.t3 / db.t4g of sizes
 * medium and large only.
 */
export function instanceClassProblem(instanceClass: string, kind: "instance" | "cluster"): string | undefined {
  if (kind === "cluster" && instanceClass === "db.serverless") return undefined;
  const match = INSTANCE_CLASS.exec(instanceClass);
  if (!match) return "expected an RDS instance class such as db.t4g.medium";
  if (kind === "instance") return undefined;
  const [, family = "", size = ""] = match;
  if (/^r\d/.test(family) || family === "x2g") return undefined;
  if (/^t[34]g?$/.test(family) && ["medium", "large"].includes(size)) return undefined;
  return `expected an Aurora DB instance class (db.serverless, db.r*, db.x2g, or db.t3/db.t4g medium or large), not ${instanceClass}`;
}

/** A restored database's placement: its security groups, or none, and its subnet group (the stack config's form). */
export const placementFields = () => ({
  subnetGroupName: z.string().min(1, "expected a DB subnet group name").optional(),
  securityGroupIds: z
    .array(z.string().regex(/^sg-[0-9a-f]{8,17}$/, "expected a security group id"), { error: "expected a list" })
    .default([]),
});

/** What a restore target and a restore test both must satisfy: a class of the engine, groups only with a subnet group. */
export function placementIssues(
  t: { instanceClass: string; kind: "instance" | "cluster"; subnetGroupName?: string; securityGroupIds: string[] },
  ctx: z.RefinementCtx,
): void {
  const problem = instanceClassProblem(t.instanceClass, t.kind);
  if (problem) ctx.addIssue({ code: "custom", path: ["instanceClass"], message: problem });
  if (t.subnetGroupName === undefined && t.securityGroupIds.length > 0)
    ctx.addIssue({
      code: "custom",
      path: ["securityGroupIds"],
      message: "expected no security groups when the network is created (it gets its own); set subnetGroupName",
    });
}

/** The zod schema of one target as the stack config gives it (plain JSON values). */
export function refreshTargetSchema() {
  const id = (max: number) =>
    z
      .string({ error: "expected an RDS identifier" })
      .regex(DB_IDENTIFIER, "expected an RDS identifier: a letter, then letters, digits or single hyphens")
      .max(max, `expected an RDS identifier of at most ${max} characters`);
  const count = (min: number) =>
    z
      .number({ error: `expected a whole number >= ${min}` })
      .int(`expected a whole number >= ${min}`)
      .min(min, `expected a whole number >= ${min}`);
  const group = z.string().regex(GROUP_NAME, "expected a group name: a letter, then letters, digits or hyphens");
  return z
    .strictObject(
      {
        database: id(63),
        kind: z.enum(["instance", "cluster"], { error: "expected instance or cluster" }),
        instanceClass: z.string({ error: "expected an RDS instance class such as db.t4g.medium" }),
        secretName: z
          .string({ error: "expected a Secrets Manager secret name" })
          .regex(SECRET_NAME, "expected a Secrets Manager secret name"),
        // `-<yyyymmdd>-<hhmmss>` follows: 40 characters leave room within RDS's 63.
        instancePrefix: id(40),
        keepInstances: count(1).default(REFRESH_DEFAULTS.keepInstances),
        maxRestoresPerDay: count(1).default(REFRESH_DEFAULTS.maxRestoresPerDay),
        ...placementFields(),
        parameterGroupName: group.optional(),
        optionGroupName: group.optional(),
      },
      { error: "expected an object with database, kind, instanceClass, secretName and instancePrefix" },
    )
    .superRefine((t, ctx) => {
      placementIssues(t, ctx);
      if (t.kind === "cluster" && t.optionGroupName !== undefined)
        ctx.addIssue({ code: "custom", path: ["optionGroupName"], message: "expected no option group for Aurora" });
    });
}

export type ParsedRefreshTarget = z.output<ReturnType<typeof refreshTargetSchema>>;

/** Problems between targets: one secret and one prefix per database, each database once. */
export function targetConflicts(
  targets: readonly Pick<RefreshTarget, "database" | "secretName" | "instancePrefix">[],
): { index: number; field: string; message: string }[] {
  const problems: { index: number; field: string; message: string }[] = [];
  const firstOf = (field: "database" | "secretName" | "instancePrefix") => {
    const seen = new Map<string, number>();
    targets.forEach((t, index) => {
      const value = field === "instancePrefix" ? t[field].toLowerCase() : t[field];
      const first = seen.get(value);
      if (first === undefined) seen.set(value, index);
      else problems.push({ index, field, message: `expected its own ${field}, ${t[field]} is also target ${first}'s` });
    });
  };
  firstOf("database");
  firstOf("secretName");
  firstOf("instancePrefix");
  // RDS identifiers are case-insensitive: `orders` would also own `orders-dev-...` restores only with `-`.
  targets.forEach((t, index) => {
    targets.forEach((other, j) => {
      if (j !== index && t.instancePrefix.toLowerCase().startsWith(`${other.instancePrefix.toLowerCase()}-`))
        problems.push({
          index,
          field: "instancePrefix",
          message: `expected a prefix that does not start with target ${j}'s ${other.instancePrefix}- (its restores would look like ${other.database}'s)`,
        });
    });
  });
  return problems;
}

/**
 * Problems of each target against the databases its sources send here: a database no source sends, or of
 * another kind. A source that selects databases by tags may send any database: its targets are accepted.
 */
export function unknownTargetDatabases(
  targets: readonly Pick<RefreshTarget, "database" | "kind">[],
  sources: Readonly<Record<string, SourceDatabases | undefined>>,
  here: { account: string; region: string },
): { index: number; field: string; message: string }[] {
  const problems: { index: number; field: string; message: string }[] = [];
  const sent = Object.entries(sources).map(([stack, databases]) => ({ stack, ...sentHere(databases, here) }));
  targets.forEach((t, index) => {
    if (sent.some((s) => s.acceptsUnnamed(t.database))) return;
    const match = sent.find((s) => s.instances.includes(t.database) || s.clusters.includes(t.database));
    if (!match) {
      const listed = sent.map((s) => `${s.stack}: ${[...s.instances, ...s.clusters].join(", ") || "none"}`).join("; ");
      problems.push({
        index,
        field: "database",
        message: `expected a database a source sends to ${here.account}/${here.region} (${listed}), not ${t.database}`,
      });
      return;
    }
    const kind = match.clusters.includes(t.database) ? "cluster" : "instance";
    if (kind !== t.kind)
      problems.push({
        index,
        field: "kind",
        message: `expected ${kind}: ${match.stack} replicates ${t.database} as an ${kind === "instance" ? "instance" : "Aurora cluster"}`,
      });
  });
  return problems;
}

function sentHere(databases: SourceDatabases | undefined, here: { account: string; region: string }) {
  if (!databases) return { instances: [], clusters: [], acceptsUnnamed: () => false };
  const listed = databases.perDestination.find(
    (d) => d.account === here.account && d.region === here.region,
  )?.databases;
  const some = listed !== undefined && listed.length > 0;
  const only = (ids: string[]) => (some ? ids.filter((id) => listed.includes(id)) : ids);
  const instances = only(databases.instances);
  const clusters = only(databases.clusters);
  // A database selected by tags is known only at run time, its kind too.
  const acceptsUnnamed = (database: string) =>
    databases.byTags &&
    !instances.includes(database) &&
    !clusters.includes(database) &&
    (!some || listed.includes(database));
  return { instances, clusters, acceptsUnnamed };
}
