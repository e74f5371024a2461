// The producer's pure decisions: which databases are replicated where, and whether a snapshot needs a
// transit copy before it can be shared.

import type { SnapshotInfo } from "../aws/snapshots";
import type { ProducerRuntimeConfig } from "../contracts/runtimeConfig";
import { turnBudget } from "./pollSchedule";

export interface Database {
  id: string;
  kind: "instance" | "cluster";
  tags: Record<string, string>;
  encrypted: boolean;
  /** Instances: their option group. */
  optionGroup?: string;
}

/** Selected = named explicitly, or carrying every tag of the tag selector (an empty selector selects none). */
export function isSelected(
  db: Pick<Database, "id" | "kind" | "tags">,
  selection: ProducerRuntimeConfig["databases"],
): boolean {
  if (selection.identifiers.includes(db.id)) return true;
  const wanted = Object.entries(selection.tags);
  return wanted.length > 0 && wanted.every(([key, value]) => db.tags[key] === value);
}

export interface Route {
  region: string;
  accounts: string[];
}

/**
 * Each poll loop's turn budget in a per-database run: the source snapshot's loop and one per destination
 * region share the run's history (pollSchedule EXECUTION_TURN_BUDGET).
 */
export const loopTurnBudget = (routes: readonly Route[]): number => turnBudget(1 + routes.length);

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

/** RDS cannot encrypt an unencrypted cluster snapshot by copying it: such a copy gets no key. */
export const copiedUnencrypted = (snapshot: Pick<SnapshotInfo, "encrypted" | "kind">): boolean =>
  snapshot.kind === "cluster" && !snapshot.encrypted;

/** Whether a copy into `region` must name that region's option group (CopyDBSnapshot OptionGroupName). */
export function needsOptionGroup(
  snapshot: Pick<SnapshotInfo, "kind" | "optionGroup">,
  sourceRegion: string,
  region: string,
): boolean {
  return snapshot.kind === "instance" && region !== sourceRegion && !isDefaultOptionGroup(snapshot.optionGroup);
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
  snapshot: Pick<SnapshotInfo, "type" | "encrypted" | "kmsKeyId" | "kind">,
  snapshotRegion: string,
  destinationRegion: string,
  transitKeyArn: string,
): TransitDecision {
  if (snapshot.type !== "manual") return { action: "copy", reason: `${snapshot.type} snapshots cannot be shared` };
  if (!snapshot.encrypted && snapshot.kind === "cluster") {
    return { action: "copy", reason: "unencrypted cluster: copied unencrypted (replicateUnencryptedClusters)" };
  }
  if (!snapshot.encrypted) return { action: "copy", reason: "unencrypted: encrypted for transit" };
  if (!sameKey(snapshot.kmsKeyId, transitKeyArn)) {
    return { action: "copy", reason: `encrypted with ${snapshot.kmsKeyId ?? "the default key"}, not the transit key` };
  }
  if (snapshotRegion !== destinationRegion) return { action: "copy", reason: `copied to ${destinationRegion}` };
  return { action: "share-directly" };
}

/** What the plan step knows of a database that decides whether it can be replicated at all. */
export interface SourceFacts {
  id: string;
  kind: "instance" | "cluster";
  encrypted: boolean;
  /** Instances: the option group (`default:...` for the engine's default). */
  optionGroup?: string;
  /** Its options, when the group is not a default one (DescribeOptionGroups). */
  options?: { name: string; persistent: boolean; permanent: boolean }[];
}

export type RefusalName = "UnencryptedCluster" | "OptionGroupNotShareable" | "OptionGroupNotMapped";

export interface Refusal {
  database: string;
  kind: "instance" | "cluster";
  error: RefusalName;
  reason: string;
}

// Permanent or persistent options keep a snapshot from being shared, except these two Oracle options
// (RDS User Guide, sharing a DB snapshot). TDE (Oracle `TDE`, SQL Server `TRANSPARENT_DATA_ENCRYPTION`) is
// permanent and named for what it is.
const SHAREABLE_DESPITE_PERMANENCE = ["Timezone", "OLS"];
const TDE_OPTIONS = ["TDE", "TRANSPARENT_DATA_ENCRYPTION"];

export const isDefaultOptionGroup = (name: string | undefined): boolean => !name || name.startsWith("default:");

/**
 * Why a database cannot be replicated to these routes, decided before anything is copied, or undefined.
 * - An unencrypted Aurora cluster snapshot cannot be encrypted by copying it (CopyDBClusterSnapshot refuses
 *   KmsKeyId for it): refused unless the stack replicates such clusters unencrypted.
 * - A snapshot whose option group has TDE or other permanent/persistent options cannot be shared.
 * - A cross-region copy of an instance with its own option group needs the destination region's group.
 */
export function refusalOf(
  db: SourceFacts,
  routes: Route[],
  sourceRegion: string,
  config: Pick<ProducerRuntimeConfig, "replicateUnencryptedClusters" | "optionGroups">,
): Refusal | undefined {
  const refuse = (error: RefusalName, reason: string): Refusal => ({ database: db.id, kind: db.kind, error, reason });
  if (db.kind === "cluster" && !db.encrypted && !config.replicateUnencryptedClusters) {
    return refuse(
      "UnencryptedCluster",
      `Aurora cluster ${db.id} is not encrypted, and RDS cannot encrypt an unencrypted cluster snapshot by copying ` +
        "it, so it cannot be replicated under the transit key. Nothing was copied. To encrypt it: take a snapshot " +
        "of the cluster, restore it to a new cluster with StorageEncrypted and a customer managed KMS key " +
        "(RestoreDBClusterFromSnapshot with KmsKeyId), move the application to the new cluster and replicate that " +
        "one. Or set rds-replication:replicateUnencryptedClusters to true to replicate it unencrypted.",
    );
  }
  if (db.kind !== "instance" || isDefaultOptionGroup(db.optionGroup)) return undefined;
  const blocking = (db.options ?? []).filter(
    (o) =>
      TDE_OPTIONS.includes(o.name) || ((o.persistent || o.permanent) && !SHAREABLE_DESPITE_PERMANENCE.includes(o.name)),
  );
  if (blocking.length > 0) {
    const names = blocking.map((o) => `${o.name}${TDE_OPTIONS.includes(o.name) ? " (TDE)" : ""}`).join(", ");
    return refuse(
      "OptionGroupNotShareable",
      `DB instance ${db.id} uses option group ${db.optionGroup} with permanent or persistent options (${names}); ` +
        "RDS does not share snapshots with such options with other accounts. Nothing was copied. Replicate " +
        "it another way (e.g. a native backup), or move it to an option group without those options.",
    );
  }
  const unmapped = routes
    .map((r) => r.region)
    .filter(
      (region) => needsOptionGroup(db, sourceRegion, region) && !config.optionGroups[region]?.[db.optionGroup ?? ""],
    );
  if (unmapped.length > 0) {
    return refuse(
      "OptionGroupNotMapped",
      `DB instance ${db.id} uses option group ${db.optionGroup}, and a copy to another region must name an option ` +
        `group of that region (CopyDBSnapshot OptionGroupName). None is configured for ${unmapped.join(", ")}: ` +
        `add rds-replication:optionGroups entries such as ${unmapped.map((r) => `${r}/${db.optionGroup}=<group in ${r}>`).join(", ")}. Nothing was copied.`,
    );
  }
  return undefined;
}
