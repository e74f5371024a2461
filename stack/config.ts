// Stack configuration: validated once, before any resource exists, so a bad stack file fails `pulumi preview`
// with every problem listed. Keys are flat and of Pulumi's simple types (string, integer, boolean, array of
// strings) so Pulumi.yaml can declare each one; pure functions over plain objects, so tests feed raw config.
import { z } from "zod";
import { CONSUMER_DEFAULTS, defaultRestoreNetwork, type RefreshArgs, type Rpo } from "../components/consumer";
import {
  type Destination,
  PRODUCER_DEFAULTS,
  producerArgsProblems,
  type SnapshotProducerArgs,
} from "../components/producer";
import {
  FLAT_RESTORE_KEYS,
  migrationMessage,
  REFRESH_DEFAULTS,
  refreshTargetSchema,
  targetConflicts,
} from "../components/refreshTargets";
import { duplicateTests, restoreTestSchema } from "../components/restoreTests";
import { closest } from "../components/suggest";
import {
  ACCOUNT_ID,
  AVAILABILITY_ZONE,
  accountId,
  copyTagKey,
  dbIdentifier,
  email,
  KNOWN_REGIONS,
  kmsKeyArn,
  logRetentionDays,
  MAX_COPY_TAGS,
  region,
  rpoHours,
  scheduleExpressionProblem,
  TOO_MANY_COPY_TAGS,
  tagKey,
  wholeNumber,
} from "../components/validation";
import { RESTORE_TEST_PREFIX } from "../functions/decisions/restoreTestChecks";
import { presetNamed, type RetentionFloor } from "../functions/decisions/retentionFloor";
import {
  RETENTION_PRESETS,
  type RetentionPolicy,
  type RetentionPresetName,
} from "../functions/decisions/retentionPolicy";

export { MAX_RPO_HOURS, scheduleExpressionProblem } from "../components/validation";

export const PROJECT = "rds-replication";

/** The most destination regions a database can have: every region the config accepts. */
export const MAX_DESTINATION_REGIONS = KNOWN_REGIONS.size;

/** Where a stack runs: the account of its credentials and its `aws:region`. */
export interface Place {
  readonly account: string;
  readonly region: string;
}

/** Every problem found in a stack's configuration, one line each. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid rds-replication configuration:\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

/** A dest stack deployed where its source does not send copies: refused before any resource exists. */
export class DeployTargetError extends Error {
  override name = "DeployTargetError";
}

/** What a dest stack reads from a source stack to check where it is deployed. */
export interface SourcePlacement {
  readonly account?: string;
  /** The source's destinations (`destinations` output); absent from source stacks deployed before it existed. */
  readonly destinations?: readonly { readonly account: string; readonly region: string }[];
}

/**
 * Refuses a dest stack whose credentials act in the source's own account (a snapshot cannot be shared with its
 * own account, and the dest resources would land beside the databases), or in an account and region the source
 * does not list among its destinations (nothing would ever be shared with it).
 */
export function checkDeployTarget(stack: string, source: SourcePlacement, here: Place): void {
  if (source.account === here.account)
    throw new DeployTargetError(
      `dest stack deploys into account ${here.account}, the source account of ${stack}: deploy it with the destination account's credentials`,
    );
  if (!source.destinations)
    throw new DeployTargetError(
      `source stack ${stack} exports no destinations: bring it up with this version first (npm run deploy brings sources up before their destinations)`,
    );
  if (!source.destinations.some((d) => d.account === here.account && d.region === here.region)) {
    const listed = source.destinations.map((d) => `${d.account}/${d.region}`).join(", ") || "none";
    throw new DeployTargetError(
      `dest stack deploys into ${here.account}/${here.region}, which is not a destination of source stack ${stack} (${listed}): add it to that stack's destinations or deploy with the right credentials and aws:region`,
    );
  }
}

/**
 * Pulumi's project config types, plus `objects`: a list of objects, which Pulumi.yaml cannot type (its
 * `items` take only simple types, pulumi/pulumi#11321, #18813), so such a key is declared with a description
 * only and validated here.
 */
export type ConfigType = "string" | "integer" | "boolean" | "array" | "objects";
type Role = "source" | "dest";

/** Every project config key, its Pulumi type and the stack roles that accept it (Pulumi.yaml declares the same). */
export const CONFIG_KEYS: Readonly<Record<string, { type: ConfigType; roles: readonly Role[] }>> = {
  role: { type: "string", roles: ["source", "dest"] },
  notificationEmails: { type: "array", roles: ["source", "dest"] },
  reservedConcurrency: { type: "integer", roles: ["source", "dest"] },
  logRetentionDays: { type: "integer", roles: ["source", "dest"] },
  destinations: { type: "array", roles: ["source"] },
  instances: { type: "array", roles: ["source"] },
  clusters: { type: "array", roles: ["source"] },
  selectorTags: { type: "array", roles: ["source"] },
  automatedSnapshots: { type: "boolean", roles: ["source"] },
  manualSnapshots: { type: "boolean", roles: ["source"] },
  schedule: { type: "string", roles: ["source"] },
  transitKeep: { type: "integer", roles: ["source"] },
  transitGraceHours: { type: "integer", roles: ["source"] },
  transitDeletionsEnabled: { type: "boolean", roles: ["source"] },
  replicateUnencryptedClusters: { type: "boolean", roles: ["source"] },
  sourceKeyArns: { type: "array", roles: ["source"] },
  optionGroups: { type: "array", roles: ["source"] },
  sources: { type: "array", roles: ["dest"] },
  retention: { type: "string", roles: ["dest"] },
  retentionTagKey: { type: "string", roles: ["dest"] },
  deletionsEnabled: { type: "boolean", roles: ["dest"] },
  maxDeletionsPerRun: { type: "integer", roles: ["dest"] },
  minRetention: { type: "string", roles: ["dest"] },
  deletionCoolingOffHours: { type: "integer", roles: ["dest"] },
  holdTagKey: { type: "string", roles: ["dest"] },
  copyTags: { type: "array", roles: ["dest"] },
  refreshTargets: { type: "objects", roles: ["dest"] },
  restoreTests: { type: "objects", roles: ["dest"] },
  refreshCleanup: { type: "boolean", roles: ["dest"] },
  refreshNetworkCidr: { type: "string", roles: ["dest"] },
  refreshAvailabilityZones: { type: "array", roles: ["dest"] },
  rpoHours: { type: "integer", roles: ["dest"] },
  rpoOverrides: { type: "array", roles: ["dest"] },
  allowedDatabases: { type: "array", roles: ["dest"] },
  copiesPerDatabasePerDay: { type: "integer", roles: ["dest"] },
  manualSnapshotQuota: { type: "integer", roles: ["dest"] },
};

const flag = () => z.boolean({ error: "expected true or false" });

const list = <T extends z.ZodType>(item: T) => z.array(item, { error: "expected a list" }).default([]);

const common = {
  notificationEmails: list(email),
  // Optional: Lambda keeps 100 executions of the account unreserved, so reserving fails under a small quota.
  reservedConcurrency: wholeNumber(1).optional(),
  logRetentionDays: logRetentionDays.default(PRODUCER_DEFAULTS.logRetentionDays),
};

/** Reports the issues of a sub-schema at the current key, prefixed with what was being parsed. */
function forward(ctx: z.RefinementCtx, issues: readonly z.core.$ZodIssue[], label: string): typeof z.NEVER {
  for (const issue of issues) ctx.addIssue({ code: "custom", message: `${label}: ${issue.message}` });
  return z.NEVER;
}

/** A parsed destination entry: SnapshotProducerArgs' Destination with its databases always listed. */
export interface ParsedDestination extends Destination {
  /** Empty: every selected database. */
  databases: string[];
}

// "ACCOUNT/REGION" or "ACCOUNT/REGION/db1,db2".
const destination = (here: Place) =>
  z.string({ error: "expected ACCOUNT/REGION or ACCOUNT/REGION/db1,db2" }).transform((text, ctx): ParsedDestination => {
    // "ACCOUNT/REGION/" would otherwise read as "every database", which is not what a slash promises.
    if (text.endsWith("/"))
      return forward(
        ctx,
        [
          {
            code: "custom",
            path: [],
            input: text,
            message: `expected no trailing slash: write ${text.replace(/\/+$/, "")} (every selected database) or ${text}db1,db2`,
          },
        ],
        "format",
      );
    const [accountText, regionText, databasesText, ...extra] = text.split("/");
    if (regionText === undefined || extra.length > 0)
      return forward(
        ctx,
        [{ code: "custom", message: "expected ACCOUNT/REGION or ACCOUNT/REGION/db1,db2", path: [], input: text }],
        "format",
      );
    const account = accountId.safeParse(accountText);
    if (!account.success) return forward(ctx, account.error.issues, "account");
    if (account.data === here.account)
      return forward(
        ctx,
        [
          {
            code: "custom",
            path: [],
            input: text,
            message: `expected another account than the source account ${here.account} (a snapshot cannot be shared with its own account)`,
          },
        ],
        "account",
      );
    const parsedRegion = region.safeParse(regionText);
    if (!parsedRegion.success) return forward(ctx, parsedRegion.error.issues, "region");
    const databases = z.array(dbIdentifier()).safeParse(databasesText ? databasesText.split(",") : []);
    if (!databases.success) return forward(ctx, databases.error.issues, "databases");
    return { account: account.data, region: parsedRegion.data, databases: databases.data };
  });

// "key=value": a database is selected when it carries every such tag.
const selectorTag = z.string({ error: "expected key=value" }).transform((text, ctx): [string, string] => {
  const at = text.indexOf("=");
  if (at < 1) return forward(ctx, [{ code: "custom", path: [], input: text, message: "expected key=value" }], "tag");
  const key = tagKey.safeParse(text.slice(0, at));
  if (!key.success) return forward(ctx, key.error.issues, "tag key");
  return [key.data, text.slice(at + 1)];
});

// "key=value" added to every copy of a dest stack; the tool's own keys stay its own.
const copyTag = selectorTag.superRefine(([key], ctx) => {
  const checked = copyTagKey.safeParse(key);
  if (!checked.success) forward(ctx, checked.error.issues, "tag key");
});

export interface OptionGroupMapping {
  readonly region: string;
  readonly source: string;
  readonly destination: string;
}

// Option group names: a letter, then letters, digits or hyphens, at most 255 (CreateOptionGroup).
const OPTION_GROUP = /^[a-zA-Z][a-zA-Z0-9-]{0,254}$/;

// "REGION/source-group=destination-group": the option group a cross-region copy gets in REGION.
const optionGroupMapping = z
  .string({ error: "expected REGION/source-group=destination-group" })
  .transform((text, ctx): OptionGroupMapping => {
    const match = /^([^/]+)\/([^=]+)=(.+)$/.exec(text);
    const fail = (message: string) =>
      forward(ctx, [{ code: "custom", path: [], input: text, message }], "option group");
    if (!match) return fail("expected REGION/source-group=destination-group");
    const [, regionName, source = "", destination = ""] = match;
    const parsedRegion = region.safeParse(regionName);
    if (!parsedRegion.success) return forward(ctx, parsedRegion.error.issues, "region");
    if (!OPTION_GROUP.test(source) || !OPTION_GROUP.test(destination))
      return fail("expected option group names: a letter, then letters, digits or hyphens");
    return { region: parsedRegion.data, source, destination };
  });

/** Destination region -> source option group -> that region's group, as the runtime config carries it. */
export function optionGroupsByRegion(mappings: readonly OptionGroupMapping[]): Record<string, Record<string, string>> {
  const byRegion: Record<string, Record<string, string>> = {};
  for (const m of mappings) byRegion[m.region] = { ...byRegion[m.region], [m.source]: m.destination };
  return byRegion;
}

const sourceObject = (here: Place) =>
  z.strictObject({
    role: z.literal("source"),
    ...common,
    destinations: z
      .array(destination(here), { error: "expected a list of ACCOUNT/REGION[/db1,db2] entries" })
      .min(1, "expected at least one destination"),
    instances: list(dbIdentifier()),
    clusters: list(dbIdentifier()),
    selectorTags: list(selectorTag),
    automatedSnapshots: flag().default(PRODUCER_DEFAULTS.automatedSnapshots),
    manualSnapshots: flag().default(PRODUCER_DEFAULTS.manualSnapshots),
    schedule: z
      .string({ error: "expected a schedule expression" })
      .superRefine((expr, ctx) => {
        const problem = scheduleExpressionProblem(expr);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      })
      .optional(),
    transitKeep: wholeNumber(1).default(PRODUCER_DEFAULTS.transitKeep),
    transitGraceHours: wholeNumber(0).default(PRODUCER_DEFAULTS.transitGraceHours),
    transitDeletionsEnabled: flag().default(PRODUCER_DEFAULTS.transitDeletionsEnabled),
    replicateUnencryptedClusters: flag().default(PRODUCER_DEFAULTS.replicateUnencryptedClusters),
    sourceKeyArns: list(kmsKeyArn),
    optionGroups: list(optionGroupMapping),
  });

// The cross-key rules are the component's own (producerArgsProblems), reported at the keys they came from.
const sourceSchema = (here: Place) =>
  sourceObject(here).superRefine((c, ctx) => reportArgsProblems(ctx, producerArgsProblems(producerArgsOf(c, here))));

/**
 * A component's problem across members (`destinations[1] expected ... only once`) as an issue at the config key
 * it came from. Problems of one value (`member = value: ...`, `member is missing`) are the per-key schemas' to
 * report, with the config's own wording and the place (`aws:region`, the deploying account).
 */
function reportArgsProblems(ctx: z.RefinementCtx, problems: readonly string[]): void {
  for (const problem of problems) {
    const space = problem.indexOf(" ");
    const message = problem.slice(space + 1);
    if (message.startsWith("= ") || message === "is missing") continue;
    const [, member = "", index] = /^(\w+)(?:\[(\d+)\])?/.exec(problem.slice(0, space)) ?? [];
    ctx.addIssue({ code: "custom", path: index === undefined ? [member] : [member, Number(index)], message });
  }
}

/** A source stack's args for its SnapshotProducer, from the parsed config (the program adds `namePrefix`). */
export function producerArgsOf(c: z.output<ReturnType<typeof sourceObject>>, here: Place): SnapshotProducerArgs {
  return {
    account: here.account,
    region: here.region,
    destinations: c.destinations,
    instances: c.instances,
    clusters: c.clusters,
    selectorTags: Object.fromEntries(c.selectorTags),
    automatedSnapshots: c.automatedSnapshots,
    manualSnapshots: c.manualSnapshots,
    schedule: c.schedule,
    transitKeep: c.transitKeep,
    transitGraceHours: c.transitGraceHours,
    transitDeletionsEnabled: c.transitDeletionsEnabled,
    replicateUnencryptedClusters: c.replicateUnencryptedClusters,
    sourceKeyArns: c.sourceKeyArns,
    optionGroups: optionGroupsByRegion(c.optionGroups),
    notificationEmails: c.notificationEmails,
    reservedConcurrency: c.reservedConcurrency,
    logRetentionDays: c.logRetentionDays,
  };
}

const RETENTION_FIELDS = ["keepLast", "maxAgeDays", "daily", "weekly", "monthly", "yearly"] as const;

/** "Test", "Standard" or "daily=7,weekly=5,...": a preset or a policy of non-negative numbers. */
const retention = z
  .string({ error: "expected Test, Standard or a policy such as daily=7,weekly=5" })
  .transform((text, ctx): RetentionPresetName | RetentionPolicy => {
    const preset = presetNamed(text);
    if (preset) return preset;
    const close = text.includes("=") ? undefined : closest(text, Object.keys(RETENTION_PRESETS));
    if (close)
      return forward(
        ctx,
        [{ code: "custom", path: [], input: text, message: `unknown preset, did you mean ${close}?` }],
        `"${text}"`,
      );
    const policy: RetentionPolicy = {};
    for (const part of text.split(",")) {
      const [field = "", value, ...extra] = part.split("=").map((s) => s.trim());
      const known = (RETENTION_FIELDS as readonly string[]).includes(field);
      if (!known || value === undefined || extra.length > 0)
        return forward(
          ctx,
          [
            {
              code: "custom",
              path: [],
              input: text,
              message: `expected ${Object.keys(RETENTION_PRESETS).join(" or ")} or comma-separated ${RETENTION_FIELDS.join("|")}=N`,
            },
          ],
          `"${part}"`,
        );
      const n = Number(value);
      const valid = value !== "" && Number.isFinite(n) && n >= 0 && (field === "maxAgeDays" || Number.isInteger(n));
      if (!valid)
        return forward(
          ctx,
          [{ code: "custom", path: [], input: text, message: "expected a non-negative whole number" }],
          field,
        );
      policy[field as (typeof RETENTION_FIELDS)[number]] = n;
    }
    return policy;
  });

// "copies=3,days=7": the floor no lifecycle tag, announcement or preset lowers (functions/decisions/retentionFloor.ts).
const MIN_RETENTION = /^copies=(\d+),days=(\d+(?:\.\d+)?)$/;
const minRetention = z.string({ error: "expected copies=N,days=D" }).transform((text, ctx): RetentionFloor => {
  const match = MIN_RETENTION.exec(text.replace(/\s+/g, ""));
  if (!match)
    return forward(
      ctx,
      [{ code: "custom", path: [], input: text, message: "expected copies=N,days=D, e.g. copies=3,days=7" }],
      `"${text}"`,
    );
  return { copies: Number(match[1]), days: Number(match[2]) };
});

// "database=hours": that database's RPO instead of the default.
const rpoOverride = z.string({ error: "expected database=hours" }).transform((text, ctx): [string, number] => {
  const at = text.indexOf("=");
  if (at < 1)
    return forward(ctx, [{ code: "custom", path: [], input: text, message: "expected database=hours" }], "format");
  const database = dbIdentifier().safeParse(text.slice(0, at));
  if (!database.success) return forward(ctx, database.error.issues, "database");
  const hoursText = text.slice(at + 1).trim();
  const hours = rpoHours.safeParse(/^\d+$/.test(hoursText) ? Number(hoursText) : hoursText);
  if (!hours.success) return forward(ctx, hours.error.issues, "hours");
  return [database.data, hours.data];
});

const STACK_NAME = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

// "org/project/stack=db1,db2": the only databases of that source this destination copies.
const allowedDatabasesEntry = z
  .string({ error: "expected org/project/stack=db1,db2" })
  .transform((text, ctx): [string, string[]] => {
    const at = text.indexOf("=");
    const stack = text.slice(0, at);
    if (at < 1 || !STACK_NAME.test(stack))
      return forward(
        ctx,
        [{ code: "custom", path: [], input: text, message: "expected org/project/stack=db1,db2" }],
        "format",
      );
    const databases = text
      .slice(at + 1)
      .split(",")
      .map((d) => d.trim());
    const problems = databases.flatMap((d) => dbIdentifier().safeParse(d).error?.issues ?? []);
    if (problems.length > 0) return forward(ctx, problems, "database");
    return [stack, databases];
  });

const destSchema = (here: Place) =>
  z
    .strictObject({
      role: z.literal("dest"),
      ...common,
      sources: z
        .array(z.string().regex(STACK_NAME, "expected a fully qualified stack name org/project/stack"), {
          error: "expected a list of fully qualified stack names org/project/stack",
        })
        .min(1, "expected at least one source stack")
        .refine((s) => new Set(s).size === s.length, "expected each source stack only once"),
      retention: retention.default("Standard"),
      retentionTagKey: tagKey.default(CONSUMER_DEFAULTS.retentionTagKey),
      deletionsEnabled: flag().default(CONSUMER_DEFAULTS.deletionsEnabled),
      maxDeletionsPerRun: wholeNumber(1).default(CONSUMER_DEFAULTS.maxDeletionsPerRun),
      minRetention: minRetention.default(CONSUMER_DEFAULTS.minRetention),
      deletionCoolingOffHours: wholeNumber(0).default(CONSUMER_DEFAULTS.coolingOffHours),
      holdTagKey: tagKey.default(CONSUMER_DEFAULTS.holdTagKey),
      copyTags: list(copyTag).refine((tags) => tags.length <= MAX_COPY_TAGS, TOO_MANY_COPY_TAGS),
      refreshTargets: z.array(refreshTargetSchema(), { error: "expected a list of refresh targets" }).default([]),
      restoreTests: z.array(restoreTestSchema(), { error: "expected a list of restore tests" }).default([]),
      refreshCleanup: flag().default(REFRESH_DEFAULTS.cleanupEnabled),
      refreshNetworkCidr: z
        .cidrv4("expected an IPv4 CIDR block such as 10.42.0.0/16")
        .default(CONSUMER_DEFAULTS.networkCidr),
      refreshAvailabilityZones: z
        .array(
          z
            .string()
            .regex(AVAILABILITY_ZONE, "expected an availability zone such as eu-west-1a")
            .refine((az) => az.startsWith(here.region), `expected an availability zone of ${here.region}`),
        )
        .min(2, "expected at least 2 availability zones (RDS subnet groups need two)")
        .default(defaultRestoreNetwork(here.region).availabilityZones),
      // A nightly snapshot plus a copy of a few hours: a day and a bit.
      rpoHours: rpoHours.default(CONSUMER_DEFAULTS.rpoHours),
      rpoOverrides: list(rpoOverride),
      allowedDatabases: list(allowedDatabasesEntry),
      copiesPerDatabasePerDay: wholeNumber(1).default(CONSUMER_DEFAULTS.copiesPerDatabasePerDay),
      manualSnapshotQuota: wholeNumber(1).default(CONSUMER_DEFAULTS.manualSnapshotQuota),
    })
    .superRefine((c, ctx) => {
      const copyTagKeys = new Set<string>();
      c.copyTags.forEach(([key], i) => {
        if (copyTagKeys.has(key))
          ctx.addIssue({ code: "custom", path: ["copyTags", i], message: `expected the key ${key} only once` });
        copyTagKeys.add(key);
      });
      const allowed = new Set<string>();
      c.allowedDatabases.forEach(([stack], i) => {
        const problem = allowed.has(stack)
          ? `expected ${stack} only once`
          : !c.sources.includes(stack)
            ? `expected one of the sources (${c.sources.join(", ")})`
            : undefined;
        if (problem) ctx.addIssue({ code: "custom", path: ["allowedDatabases", i], message: problem });
        allowed.add(stack);
      });
      const seen = new Set<string>();
      c.rpoOverrides.forEach(([database], i) => {
        if (seen.has(database))
          ctx.addIssue({ code: "custom", path: ["rpoOverrides", i], message: `expected ${database} only once` });
        seen.add(database);
      });
      for (const p of targetConflicts(c.refreshTargets))
        ctx.addIssue({ code: "custom", path: ["refreshTargets", p.index, p.field], message: p.message });
      // Restore tests' databases are `rt-...`: a refresh target with that prefix would share their names.
      c.refreshTargets.forEach((t, i) => {
        if (t.instancePrefix.toLowerCase() === RESTORE_TEST_PREFIX)
          ctx.addIssue({
            code: "custom",
            path: ["refreshTargets", i, "instancePrefix"],
            message: `expected a prefix other than ${RESTORE_TEST_PREFIX} (restore tests' databases are ${RESTORE_TEST_PREFIX}-...)`,
          });
      });
      for (const p of duplicateTests(c.restoreTests))
        ctx.addIssue({ code: "custom", path: ["restoreTests", p.index, p.field], message: p.message });
      c.restoreTests.forEach((t, i) => {
        const problem = scheduleExpressionProblem(t.schedule);
        if (problem) ctx.addIssue({ code: "custom", path: ["restoreTests", i, "schedule"], message: problem });
      });
    });

type SourceParsed = z.output<ReturnType<typeof sourceSchema>>;
type DestParsed = z.output<ReturnType<typeof destSchema>>;

export type SourceStackConfig = SourceParsed & { readonly place: Place };
export type DestStackConfig = DestParsed & { readonly place: Place };
export type StackConfig = SourceStackConfig | DestStackConfig;

/**
 * A dest stack's refresh settings for the consumer; undefined without targets and restore tests. Restore tests
 * alone still get the isolated network of `refreshNetworkCidr` and `refreshAvailabilityZones` (no targets).
 */
export function refreshOf(c: DestStackConfig, adoptedSecrets: Record<string, string> = {}): RefreshArgs | undefined {
  if (c.refreshTargets.length + c.restoreTests.length === 0) return undefined;
  return {
    targets: c.refreshTargets.map((t) => ({ ...t, existingSecretArn: adoptedSecrets[t.secretName] })),
    network: { cidrBlock: c.refreshNetworkCidr, availabilityZones: c.refreshAvailabilityZones },
    cleanupEnabled: c.refreshCleanup,
  };
}

/** The dest stack's default retention policy, a preset resolved to its rules. */
export function retentionPolicyOf(c: DestStackConfig): RetentionPolicy {
  return typeof c.retention === "string" ? { ...RETENTION_PRESETS[c.retention] } : c.retention;
}

/** Per source stack, the only databases the dest stack copies (sources not listed: all). */
export function allowedDatabasesOf(c: DestStackConfig): Record<string, string[]> {
  return Object.fromEntries(c.allowedDatabases);
}

/** The dest stack's recovery point objective: default hours and per-database overrides. */
export function rpoOf(c: DestStackConfig): Rpo {
  return { defaultHours: c.rpoHours, overrides: Object.fromEntries(c.rpoOverrides) };
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>(
    (node, key) =>
      node !== null && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[key] : undefined,
    root,
  );
}

function keyName(path: readonly PropertyKey[]): string {
  const [head, ...rest] = path;
  // As `pulumi config set --path` writes it: list items in brackets, object fields after a dot.
  const segment = (k: PropertyKey) => (typeof k === "number" ? `[${k}]` : `.${String(k)}`);
  return `${PROJECT}:${String(head ?? "")}${rest.map(segment).join("")}`;
}

function describeValue(value: unknown): string {
  return value === undefined ? "is missing" : `= ${JSON.stringify(value)}`;
}

const keysOf = (role: Role) => Object.keys(CONFIG_KEYS).filter((k) => CONFIG_KEYS[k]!.roles.includes(role));

function unknownKey(key: string, role: Role): string {
  const known = CONFIG_KEYS[key];
  if (known) return `${keyName([key])}: expected only in a ${known.roles.join("/")} stack, this one has role ${role}`;
  const suggestion = closest(key, keysOf(role));
  return suggestion
    ? `${keyName([key])}: unknown key, did you mean ${keyName([suggestion])}?`
    : `${keyName([key])}: unknown key, expected one of those documented in docs/configuration.md`;
}

/** `pulumi config set KEY a,b` stores one string; a list needs one `--path` item per entry. */
function listHint(path: readonly PropertyKey[], value: unknown): string {
  const key = String(path[0]);
  if (path.length !== 1 || CONFIG_KEYS[key]?.type !== "array" || typeof value !== "string") return "";
  // Destination entries carry commas of their own (ACCOUNT/REGION/db1,db2): only other lists split on them.
  const entries = value.includes("/") ? [value] : value.split(",");
  const items = entries.map((item, i) => `pulumi config set --path '${keyName([key, i])}' ${item.trim()}`);
  return `; set a list item by item: ${items.join(" && ")}`;
}

function describe(issue: z.core.$ZodIssue, raw: Record<string, unknown>, role: Role): string[] {
  if (issue.code === "unrecognized_keys") {
    const flat = issue.keys.filter((k) => (FLAT_RESTORE_KEYS as readonly string[]).includes(k));
    const migration = flat.length > 0 ? [`${flat.map((k) => keyName([k])).join(", ")}: ${migrationMessage(raw)}`] : [];
    return [...migration, ...issue.keys.filter((k) => !flat.includes(k)).map((k) => unknownKey(k, role))];
  }
  const value = valueAt(raw, issue.path);
  return [`${keyName(issue.path)} ${describeValue(value)}: ${issue.message}${listHint(issue.path, value)}`];
}

/**
 * Validates a stack's project config (keys without the `rds-replication:` prefix, values already typed) for
 * the account and region the stack deploys to. Throws one ConfigError listing every problem.
 */
export function parseStackConfig(raw: Record<string, unknown>, here: Place): StackConfig {
  const problems: string[] = [];
  const regionCheck = region.safeParse(here.region);
  if (!regionCheck.success)
    problems.push(`aws:region ${describeValue(here.region)}: ${regionCheck.error.issues[0]?.message}`);
  if (!ACCOUNT_ID.test(here.account))
    problems.push(`deploying account ${here.account}: expected a 12-digit account id`);
  const role = raw.role;
  if (role !== "source" && role !== "dest") {
    problems.push(`${keyName(["role"])} ${describeValue(role)}: expected "source" or "dest"`);
    throw new ConfigError(problems);
  }
  const parsed = role === "source" ? sourceSchema(here).safeParse(raw) : destSchema(here).safeParse(raw);
  if (!parsed.success) problems.push(...parsed.error.issues.flatMap((issue) => describe(issue, raw, role)));
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  return { ...parsed.data, place: here } as StackConfig;
}

/**
 * Turns Pulumi's flat config map (`project:key` -> string) into typed project values: arrays arrive
 * JSON-encoded, integers and booleans as text. Values that do not convert stay text, for the schema to report.
 */
export function rawConfigFromPulumi(all: Readonly<Record<string, string>>): {
  project: Record<string, unknown>;
  awsRegion: string | undefined;
  /** Keys under a namespace that looks like a misspelt project name: ignored, but worth a warning. */
  warnings: string[];
} {
  const project: Record<string, unknown> = {};
  const warnings: string[] = [];
  const prefix = `${PROJECT}:`;
  for (const [fullKey, text] of Object.entries(all)) {
    if (!fullKey.startsWith(prefix)) {
      const warning = misspeltNamespace(fullKey);
      if (warning) warnings.push(warning);
      continue;
    }
    const key = fullKey.slice(prefix.length);
    project[key] = typed(text, CONFIG_KEYS[key]?.type ?? "string");
  }
  return { project, awsRegion: all["aws:region"], warnings };
}

/**
 * A stack's config also holds other packages' namespaces (`aws:`, ...), so a key outside this project's is
 * not an error; one whose namespace is a typo of the project name is almost certainly meant for it.
 */
function misspeltNamespace(fullKey: string): string | undefined {
  const at = fullKey.indexOf(":");
  if (at < 0) return undefined;
  const namespace = fullKey.slice(0, at);
  if (namespace === PROJECT || !closest(namespace, [PROJECT])) return undefined;
  const key = fullKey.slice(at + 1);
  const meant = CONFIG_KEYS[key] ? key : (closest(key, Object.keys(CONFIG_KEYS)) ?? key);
  return `${fullKey} is ignored: "${namespace}" is not this project's namespace; did you mean ${PROJECT}:${meant}?`;
}

function typed(text: string, type: ConfigType): unknown {
  switch (type) {
    case "string":
      return text;
    case "boolean":
      return text === "true" ? true : text === "false" ? false : text;
    case "integer":
      return /^-?\d+$/.test(text.trim()) ? Number(text) : text;
    case "array":
    case "objects":
      try {
        return JSON.parse(text);
      } catch {
        return text;
      }
  }
}
