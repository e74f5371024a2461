// The consumer's pure decisions: which retention policy applies, which restored databases to delete, what the
// secret becomes after a switch.
import { createHash } from "node:crypto";
import type { Announcement } from "../contracts/announcement";
import type { ConsumerRuntimeConfig } from "../contracts/runtimeConfig";
import { presetNamed, unionPolicies, withFloor } from "./retentionFloor";
import { LIFECYCLE_IGNORE, RETENTION_PRESETS, type RetentionPolicy } from "./retentionPolicy";
import { MANAGED_BY_KEY, MANAGED_BY_VALUE, ROLE_KEY, SOURCE_CREATED_KEY, SOURCE_DATABASE_KEY } from "./tags";

export interface PolicyChoice {
  policy: RetentionPolicy;
  /** Where it came from, for the log and the report. */
  source: string;
}

/**
 * The destination owns retention: the source database's lifecycle tag (carried in the announcement) may pick a
 * preset, DRACO style, but only to lengthen the stack default, and the stack's floor is added to whatever
 * applies. A value that names no preset keeps everything, as DRACO does; no tag means the stack default.
 */
export function retentionPolicyFor(a: Announcement, retention: ConsumerRuntimeConfig["retention"]): PolicyChoice {
  const value = lifecycleOf(a, retention.tagKey);
  if (value === undefined) return { policy: withFloor(retention.default, retention.minimum), source: "stack default" };
  // The value comes from the source account: bounded before it reaches a log or a notification.
  const shown = `${retention.tagKey}=${value.slice(0, 64)}`;
  const preset = presetNamed(value);
  if (!preset) return { policy: {}, source: `unknown ${shown}, everything kept` };
  return {
    policy: withFloor(unionPolicies(retention.default, RETENTION_PRESETS[preset]), retention.minimum),
    source: shown,
  };
}

/** The source database's lifecycle tag value, carried in the announcement (the snapshot's own tag otherwise). */
function lifecycleOf(a: Announcement, tagKey: string): string | undefined {
  return a.databaseTags?.[tagKey] ?? a.tags[tagKey];
}

/**
 * Why this account copies nothing of the announced snapshot: its source database's lifecycle is `Ignore`
 * (DRACO's value for a database kept out of replication), e.g. "Draco_Lifecycle=Ignore"; undefined otherwise.
 */
export function ignoredBy(a: Announcement, tagKey: string): string | undefined {
  return lifecycleOf(a, tagKey) === LIFECYCLE_IGNORE ? `${tagKey}=${LIFECYCLE_IGNORE}` : undefined;
}

type RefreshTargets = NonNullable<ConsumerRuntimeConfig["restore"]>["targets"];

/** The refresh target of an announced database, if this stack refreshes it. */
export function refreshTargetFor(
  restore: ConsumerRuntimeConfig["restore"],
  database: { sourceDatabase: string; kind: "instance" | "cluster" },
): RefreshTargets[number] | undefined {
  return restore?.targets.find((t) => t.database === database.sourceDatabase && t.kind === database.kind);
}

/**
 * A database counts as restored by the tool for a target only if its identifier is the deterministic one
 * (`<prefix>-...`) AND its provenance tags agree (managed, role restored, that source database): a prefix alone,
 * or tags alone, never make a database deletable.
 */
export function restoredFor(
  db: { id: string; tags: Record<string, string> },
  target: { instancePrefix: string; database: string },
): boolean {
  return (
    db.id.toLowerCase().startsWith(`${target.instancePrefix.toLowerCase()}-`) &&
    db.tags[MANAGED_BY_KEY] === MANAGED_BY_VALUE &&
    db.tags[ROLE_KEY] === "restored" &&
    db.tags[SOURCE_DATABASE_KEY] === target.database
  );
}

export interface Restored {
  id: string;
  /** When the database was created (RDS). */
  createdAt: string;
  tags: Record<string, string>;
}

/** When the source took the data a restored database holds (its provenance tag; unknown sorts oldest). */
export function sourceTimeOf(db: { tags: Record<string, string> } | undefined): number {
  const time = Date.parse(db?.tags[SOURCE_CREATED_KEY] ?? "");
  return Number.isNaN(time) ? Number.NEGATIVE_INFINITY : time;
}

/**
 * Restored databases beyond the newest `keep` by source data, oldest first. Never among them: the protected
 * ones (the database the secret points to) and the one restored last (created last), whatever its data.
 */
export function restoredToDelete<T extends Restored>(
  restored: readonly T[],
  keep: number,
  protectedIds: string[],
): T[] {
  const lastRestored = [...restored].sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0]?.id;
  const newestFirst = [...restored].sort((a, b) => sourceTimeOf(b) - sourceTimeOf(a) || b.id.localeCompare(a.id));
  return newestFirst
    .slice(keep)
    .filter((d) => d.id !== lastRestored && !protectedIds.includes(d.id))
    .reverse();
}

/**
 * The secret moves only to strictly newer source data: a late run of an older snapshot never takes it back.
 * `current` is the database the secret points to now (undefined: none, or not one of ours).
 */
export function switchAllowed(current: { tags: Record<string, string> } | undefined, next: string): boolean {
  return current === undefined || Date.parse(next) > sourceTimeOf(current);
}

/** Restores counted per UTC day, kept as `<YYYY-MM-DD>/<n>` on the target's secret. */
export function restoreAllowance(
  recorded: string | undefined,
  now: Date,
  maxPerDay: number,
): { allowed: boolean; next: string; count: number } {
  const today = now.toISOString().slice(0, 10);
  const [day, n] = (recorded ?? "").split("/");
  const count = day === today ? Number(n) || 0 : 0;
  return { allowed: count < maxPerDay, next: `${today}/${count + 1}`, count };
}

export interface SecretPointer {
  host: string;
  port: number;
  kind: "instance" | "cluster";
  id: string;
}

/** The secret with its endpoint switched; every other field (user, password, ...) is kept. */
export function switchedSecret(previous: Record<string, unknown>, to: SecretPointer): Record<string, unknown> {
  const next: Record<string, unknown> = { ...previous, host: to.host, port: to.port };
  if (to.kind === "cluster") next.dbClusterIdentifier = to.id;
  else next.dbInstanceIdentifier = to.id;
  return next;
}

/** The database the secret currently points to, if any. */
export function secretTarget(secret: Record<string, unknown>, kind: "instance" | "cluster"): string | undefined {
  const value = kind === "cluster" ? secret.dbClusterIdentifier : secret.dbInstanceIdentifier;
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/** Secrets Manager's idempotency token (32-64 characters): one per switch target, so a retry is a no-op. */
export function switchToken(restoredArn: string): string {
  return createHash("sha256").update(restoredArn).digest("hex");
}
