// What exists where after the demo: snapshots (with their keys and tags), KMS keys, DB instances and the
// restore secret of each account and region, read back from the emulator and laid out as tables.
import { DescribeKeyCommand, ListKeysCommand } from "@aws-sdk/client-kms";
import { DescribeDBClustersCommand, DescribeDBInstancesCommand, DescribeDBSnapshotsCommand } from "@aws-sdk/client-rds";
import { GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { restoredFor } from "../../functions/decisions/destinationRules";
import {
  DELETE_AFTER_KEY,
  MANAGED_BY_KEY,
  MANAGED_BY_VALUE,
  ROLE_KEY,
  SOURCE_DATABASE_KEY,
} from "../../functions/decisions/tags";
import type { RetentionResult } from "../../functions/steps/consumer/retention";
import type { Clients } from "../../testkit";
import type { RetentionRow } from "./retentionRows";
import type { Table } from "./table";

type Tags = { Key?: string; Value?: string }[] | undefined;

const tagMapOf = (tags: Tags) => Object.fromEntries((tags ?? []).map((x) => [x.Key ?? "", x.Value ?? ""]));

const tagLines = (tags: Tags) => (tags ?? []).map((t) => `${t.Key}=${t.Value}`).join("\n");

/** Key ARN -> what it is for, so tables name keys by role rather than by UUID. */
export type KeyRoles = ReadonlyMap<string, string>;

function keyName(arn: string | undefined, roles: KeyRoles): string {
  if (!arn) return "not encrypted";
  const role = roles.get(arn);
  if (role) return role;
  // The emulator names the account's default aws/rds key by a placeholder rather than an ARN.
  return arn.startsWith("arn:") ? `other key ${arn.split("/").pop()}` : "default RDS key (aws/rds)";
}

export async function snapshotsTable(title: string, clients: Clients, roles: KeyRoles): Promise<Table> {
  // Shared snapshots are listed too: in a destination account they are the transit copies offered to it.
  const [own, shared] = await Promise.all(
    [undefined, "shared"].map((SnapshotType) =>
      clients.rds.send(new DescribeDBSnapshotsCommand({ SnapshotType, IncludeShared: SnapshotType === "shared" })),
    ),
  );
  const rows = [...(own?.DBSnapshots ?? []), ...(shared?.DBSnapshots ?? [])]
    .sort((a, b) => (a.SnapshotCreateTime?.getTime() ?? 0) - (b.SnapshotCreateTime?.getTime() ?? 0))
    .map((s) => {
      const ours = s.DBSnapshotArn?.split(":")[4] === clients.place.account;
      return [
        s.DBSnapshotIdentifier ?? "?",
        ours ? (s.SnapshotType ?? "?") : "shared with us",
        s.Status ?? "?",
        keyName(s.KmsKeyId, roles),
        // AWS hides a shared snapshot's tags from the other account (the emulator does not): hence the announcement.
        ours ? tagLines(s.TagList) : "(not readable here: carried in the announcement)",
      ];
    });
  return { title, columns: ["Snapshot", "Type", "Status", "Encrypted with", "Tags"], rows };
}

export async function keysTable(title: string, clients: Clients, roles: KeyRoles): Promise<Table> {
  const { Keys } = await clients.kms.send(new ListKeysCommand({}));
  const rows = await Promise.all(
    (Keys ?? []).map(async (k) => {
      const { KeyMetadata: m } = await clients.kms.send(new DescribeKeyCommand({ KeyId: k.KeyId }));
      return [m?.KeyId ?? "?", keyName(m?.Arn, roles), m?.KeyState ?? "?"];
    }),
  );
  return { title, columns: ["Key id", "Role", "State"], rows };
}

export async function instancesTable(title: string, clients: Clients): Promise<Table> {
  const { DBInstances } = await clients.rds.send(new DescribeDBInstancesCommand({}));
  const rows = (DBInstances ?? []).map((i) => [
    i.DBInstanceIdentifier ?? "?",
    i.DBInstanceStatus ?? "?",
    i.DBInstanceClass ?? "?",
    i.Endpoint ? `${i.Endpoint.Address}:${i.Endpoint.Port}` : "-",
    tagLines(i.TagList),
  ]);
  return { title, columns: ["Instance", "Status", "Class", "Endpoint", "Tags"], rows };
}

export async function secretTable(title: string, clients: Clients, secretName: string): Promise<Table> {
  const { SecretString } = await clients.secrets.send(new GetSecretValueCommand({ SecretId: secretName }));
  const value = JSON.parse(SecretString ?? "{}") as Record<string, unknown>;
  // The password stays out of the report; the point is where the secret sends clients.
  const shown = ["host", "port", "dbInstanceIdentifier", "username"].filter((k) => k in value);
  return { title, columns: ["Secret", "Field", "Value"], rows: shown.map((k) => [secretName, k, String(value[k])]) };
}

/**
 * Per refresh target: how many restored databases exist now and how many remain after each refresh (its
 * keepInstances; one more while a refresh runs), read back from RDS by the tool's prefix and provenance tags.
 */
export async function refreshedTable(
  title: string,
  clients: Clients,
  targets: readonly { database: string; kind: string; instancePrefix: string; keepInstances: number }[],
): Promise<Table> {
  const rows: string[][] = [];
  for (const t of targets) {
    const restored =
      t.kind === "cluster"
        ? ((await clients.rds.send(new DescribeDBClustersCommand({}))).DBClusters ?? []).map((c) => ({
            id: c.DBClusterIdentifier ?? "",
            tags: c.TagList,
          }))
        : ((await clients.rds.send(new DescribeDBInstancesCommand({}))).DBInstances ?? []).map((i) => ({
            id: i.DBInstanceIdentifier ?? "",
            tags: i.TagList,
          }));
    const ours = restored.filter((d) => restoredFor({ id: d.id, tags: tagMapOf(d.tags) }, t));
    rows.push([`${t.database} (${t.kind})`, `${t.instancePrefix}-*`, String(ours.length), String(t.keepInstances)]);
  }
  return { title, columns: ["Database", "Restored as", "Restored now", "After each refresh"], rows };
}

/** The consumer's retention decision for the database, one row per copy, with the rule behind it. */
export function retentionTable(title: string, plan: RetentionResult, rows: readonly RetentionRow[]): Table {
  return {
    title: `${title} (policy ${plan.policy}${plan.dryRun ? ", dry run" : ""})`,
    columns: ["Copy", "Source created", "Decision", "Rule"],
    rows: rows.map((r) => [
      r.id,
      r.createdAt.replace("T", " ").slice(0, 16),
      r.decision,
      [...(r.keptBy.length > 0 ? [`kept by ${r.keptBy.join(", ")}`] : []), ...r.why].join("\n"),
    ]),
  };
}

// The tool's tags a reader needs to follow the story; the other provenance tags wait for --wide.
const SHOWN_TOOL_TAGS = new Set([ROLE_KEY, SOURCE_DATABASE_KEY, DELETE_AFTER_KEY]);
const isToolTag = (key: string) => key === MANAGED_BY_KEY || key.startsWith(`${MANAGED_BY_VALUE}:`);

/**
 * The table with its "Tags" column moved under each row as one line, the tool's less telling tags folded into
 * "+N more": the other columns then fit the terminal.
 */
export function foldTags(table: Table): Table {
  const column = table.columns.indexOf("Tags");
  if (column < 0) return table;
  const fold = (cell: string) => {
    const lines = cell.split("\n").filter((l) => l !== "");
    const shown = lines.filter((l) => {
      const key = l.split("=")[0] ?? "";
      return !isToolTag(key) || SHOWN_TOOL_TAGS.has(key);
    });
    const hidden = lines.length - shown.length;
    const text = [...shown, ...(hidden > 0 ? [`+${hidden} more (--wide)`] : [])].join(", ");
    return text === "" ? undefined : `tags: ${text.replace(/\n/g, " ")}`;
  };
  return {
    title: table.title,
    columns: table.columns.filter((_, i) => i !== column),
    rows: table.rows.map((row) => row.filter((_, i) => i !== column)),
    details: table.rows.map((row) => fold(row[column] ?? "")),
  };
}
