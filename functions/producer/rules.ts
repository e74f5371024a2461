// The producer's pure decisions: which databases are replicated where, and whether a snapshot needs a
// transit copy before it can be shared.
import type { ProducerRuntimeConfig } from "../runtimeConfig";
import type { SnapshotInfo } from "../snapshots";

export interface Database {
  id: string;
  kind: "instance" | "cluster";
  tags: Record<string, string>;
}

/** Selected = named explicitly, or carrying every tag of the tag selector (an empty selector selects none). */
export function isSelected(db: Database, selection: ProducerRuntimeConfig["databases"]): boolean {
  if (selection.identifiers.includes(db.id)) return true;
  const wanted = Object.entries(selection.tags);
  return wanted.length > 0 && wanted.every(([key, value]) => db.tags[key] === value);
}

export interface Route {
  region: string;
  accounts: string[];
}

/** The destination regions of a database, each with the accounts there that want it. */
export function routesFor(database: string, destinations: ProducerRuntimeConfig["destinations"]): Route[] {
  const byRegion = new Map<string, string[]>();
  for (const d of destinations) {
    if (d.databases.length > 0 && !d.databases.includes(database)) continue;
    const accounts = byRegion.get(d.region) ?? [];
    if (!accounts.includes(d.account)) accounts.push(d.account);
    byRegion.set(d.region, accounts);
  }
  return [...byRegion].map(([region, accounts]) => ({ region, accounts }));
}

export type TransitDecision = { action: "share-directly" } | { action: "copy"; reason: string };

function sameKey(a: string | undefined, b: string): boolean {
  if (!a) return false;
  return a === b || a.split("/").pop() === b.split("/").pop();
}

/**
 * Only manual snapshots under a customer key the destinations may use can be shared, and a shared encrypted
 * snapshot is copied in its own region. So: share directly a manual snapshot already under the producer's
 * transit key of the destination region and already in that region; copy anything else (automated, default
 * `aws/rds` key or another key, unencrypted: encryption in transit is required whatever the source).
 */
export function transitDecision(
  snapshot: Pick<SnapshotInfo, "type" | "encrypted" | "kmsKeyId">,
  snapshotRegion: string,
  destinationRegion: string,
  transitKeyArn: string,
): TransitDecision {
  if (snapshot.type !== "manual") return { action: "copy", reason: `${snapshot.type} snapshots cannot be shared` };
  if (!snapshot.encrypted) return { action: "copy", reason: "unencrypted: encrypted for transit" };
  if (!sameKey(snapshot.kmsKeyId, transitKeyArn)) {
    return { action: "copy", reason: `encrypted with ${snapshot.kmsKeyId ?? "the default key"}, not the transit key` };
  }
  if (snapshotRegion !== destinationRegion) return { action: "copy", reason: `copied to ${destinationRegion}` };
  return { action: "share-directly" };
}
