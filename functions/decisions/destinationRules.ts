// The consumer's pure decisions: which retention policy applies, which restored databases to delete, what the
// secret becomes after a switch.
import { createHash } from "node:crypto";
import type { Announcement } from "../contracts/announcement";
import type { ConsumerRuntimeConfig } from "../contracts/runtimeConfig";
import { LIFECYCLE_IGNORE, RETENTION_PRESETS, type RetentionPolicy } from "./retentionPolicy";

export interface PolicyChoice {
  policy: RetentionPolicy;
  /** Where it came from, for the log and the report. */
  source: string;
}

/**
 * The source database's lifecycle tag (as carried in the announcement) picks a preset, DRACO style, so
 * changing the tag at the source changes retention here; no tag or an unknown value means the stack default.
 */
export function retentionPolicyFor(a: Announcement, retention: ConsumerRuntimeConfig["retention"]): PolicyChoice {
  const value = lifecycleOf(a, retention.tagKey);
  if (value && Object.hasOwn(RETENTION_PRESETS, value)) {
    return {
      policy: RETENTION_PRESETS[value as keyof typeof RETENTION_PRESETS],
      source: `${retention.tagKey}=${value}`,
    };
  }
  const why = value ? `unknown ${retention.tagKey}=${value}, stack default` : "stack default";
  return { policy: retention.default, source: why };
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
