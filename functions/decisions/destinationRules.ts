// The consumer's pure decisions: which retention policy applies, which restored databases to delete, what the
// secret becomes after a switch.
import { createHash } from "node:crypto";
import type { Announcement } from "../contracts/announcement";
import type { ConsumerRuntimeConfig } from "../contracts/runtimeConfig";
import { presetNamed, unionPolicies, withFloor } from "../retentionFloor";
import { LIFECYCLE_IGNORE, RETENTION_PRESETS, type RetentionPolicy } from "./retentionPolicy";

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

export interface Restored {
  id: string;
  createdAt: string;
}

/**
 * Restored databases beyond the newest `keep`, oldest first; the one the secret points to is never among them.
 */
export function restoredToDelete<T extends Restored>(restored: readonly T[], keep: number, current: string): T[] {
  const newestFirst = [...restored].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
  return newestFirst
    .slice(keep)
    .filter((d) => d.id !== current)
    .reverse();
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
