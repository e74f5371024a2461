// What a manual start may ask for. It names a database and, optionally, one of its snapshots; whoever may start
// the producer could otherwise ship any snapshot of the account labelled as a selected database (payroll's
// data announced, tagged and retained as orders), or replicate a database the config does not select.

import type { SnapshotInfo } from "../aws/snapshots";
import type { ProducerRuntimeConfig } from "../contracts/runtimeConfig";
import { type Database, isSelected, routesFor } from "./sourceRules";

/** Why the manual start is refused, or undefined when it names a selected database and a snapshot of it. */
export function manualStartRefusal(
  db: Pick<Database, "id" | "kind" | "tags">,
  snapshot: Pick<SnapshotInfo, "id" | "database"> | undefined,
  config: Pick<ProducerRuntimeConfig, "databases" | "destinations">,
): string | undefined {
  if (!isSelected(db, config.databases))
    return `${db.kind} ${db.id} is not selected for replication (neither listed nor carrying the selector tags)`;
  if (routesFor(db.id, config.destinations).length === 0) return `no destination is configured to receive ${db.id}`;
  if (snapshot && snapshot.database !== db.id)
    return `snapshot ${snapshot.id} is of database ${snapshot.database || "(unknown)"}, not ${db.id}`;
  return undefined;
}
