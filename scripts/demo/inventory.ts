// What exists where after the demo: snapshots (with their keys and tags), KMS keys, DB instances and the
// restore secret of each account and region, read back from the emulator and laid out as tables.
import { DescribeKeyCommand, ListKeysCommand } from "@aws-sdk/client-kms";
import {
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
} from "@aws-sdk/client-rds";
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

interface SnapshotRow {
  id?: string;
  arn?: string;
  type?: string;
  cluster: boolean;
  status?: string;
  created?: Date;
  keyId?: string;
  tags: Tags;
}

/** Instance and Aurora cluster snapshots alike, the shared ones too. */
async function snapshotRows(clients: Clients): Promise<SnapshotRow[]> {
  // Shared snapshots are listed too: in a destination account they are the transit copies offered to it.
  const listings = [undefined, "shared"].map(async (SnapshotType) => {
    const filter = { SnapshotType, IncludeShared: SnapshotType === "shared" };
    const [instances, clusters] = await Promise.all([
      clients.rds.send(new DescribeDBSnapshotsCommand(filter)),
      clients.rds.send(new DescribeDBClusterSnapshotsCommand(filter)),
    ]);
    return [
      ...(instances.DBSnapshots ?? []).map((s) => ({
        id: s.DBSnapshotIdentifier,
        arn: s.DBSnapshotArn,
        type: s.SnapshotType,
        cluster: false,
        status: s.Status,
        created: s.SnapshotCreateTime,
        keyId: s.KmsKeyId,
        tags: s.TagList,
      })),
      ...(clusters.DBClusterSnapshots ?? []).map((s) => ({
        id: s.DBClusterSnapshotIdentifier,
        arn: s.DBClusterSnapshotArn,
        type: s.SnapshotType,
        cluster: true,
        status: s.Status,
        created: s.SnapshotCreateTime,
        keyId: s.KmsKeyId,
        tags: s.TagList,
      })),
    ];
  });
  return (await Promise.all(listings)).flat();
}

export async function snapshotsTable(title: string, clients: Clients, roles: KeyRoles): Promise<Table> {
  const rows = (await snapshotRows(clients))
    .sort((a, b) => (a.created?.getTime() ?? 0) - (b.created?.getTime() ?? 0))
    .map((s) => {
      const ours = s.arn?.split(":")[4] === clients.place.account;
      const type = ours ? (s.type ?? "?") : "shared";
      return [
        s.id ?? "?",
        s.cluster ? `${type} (cluster)` : ours ? type : "shared with us",
        s.status ?? "?",
        keyName(s.keyId, roles),
        // AWS hides a shared snapshot's tags from the other account (the emulator does not): hence the announcement.
        ours ? tagLines(s.tags) : "(not readable here: carried in the announcement)",
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

export async function clustersTable(title: string, clients: Clients): Promise<Table> {
  const { DBClusters } = await clients.rds.send(new DescribeDBClustersCommand({}));
  const rows = (DBClusters ?? []).map((c) => [
    c.DBClusterIdentifier ?? "?",
    c.Status ?? "?",
    c.Engine ?? "?",
    c.Endpoint ? `${c.Endpoint}:${c.Port}` : "-",
    tagLines(c.TagList),
  ]);
  return { title, columns: ["Cluster", "Status", "Engine", "Endpoint", "Tags"], rows };
}

/** Where each secret sends clients: the password stays out of the report. */
export async function secretsTable(title: string, clients: Clients, secretNames: readonly string[]): Promise<Table> {
  const rows: string[][] = [];
  for (const name of secretNames) {
    const { SecretString } = await clients.secrets.send(new GetSecretValueCommand({ SecretId: name }));
    const value = JSON.parse(SecretString ?? "{}") as Record<string, unknown>;
    const shown = ["host", "port", "dbInstanceIdentifier", "dbClusterIdentifier", "username"].filter((k) => k in value);
    rows.push(...shown.map((k) => [name, k, String(value[k])]));
  }
  return { title, columns: ["Secret", "Field", "Value"], rows };
}

/** The database a refresh secret points to, by the identifier the switch wrote into it. */
async function secretTarget(clients: Clients, secretName: string): Promise<string> {
  const { SecretString } = await clients.secrets.send(new GetSecretValueCommand({ SecretId: secretName }));
  const value = JSON.parse(SecretString ?? "{}") as Record<string, unknown>;
  return String(value.dbInstanceIdentifier ?? value.dbClusterIdentifier ?? "(not switched yet)");
}

/**
 * Per refresh target: the database its secret points to, how many restored databases exist now and how many
 * remain after each refresh (its keepInstances; one more while a refresh runs), read back from RDS by the
 * tool's prefix and provenance tags.
 */
export async function refreshedTable(
  title: string,
  clients: Clients,
  targets: readonly {
    database: string;
    kind: string;
    secretName: string;
    instancePrefix: string;
    keepInstances: number;
  }[],
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
    rows.push([
      `${t.database} (${t.kind})`,
      `${t.secretName} -> ${await secretTarget(clients, t.secretName)}`,
      `${t.instancePrefix}-*`,
      String(ours.length),
      String(t.keepInstances),
    ]);
  }
  return {
    title,
    columns: ["Database", "Secret -> database", "Restored as", "Restored now", "After each refresh"],
    rows,
  };
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
