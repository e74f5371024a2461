// What the e2e flows set up and read back in an account: source databases, snapshots, tags.
import {
  CreateDBClusterCommand,
  CreateDBInstanceCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBSnapshotsCommand,
} from "@aws-sdk/client-rds";
import type { Clients } from "./accounts";

type Tags = Record<string, string>;

export const tagsOf = (list?: { Key?: string; Value?: string }[]): Tags =>
  Object.fromEntries((list ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]));

const tagList = (tags: Tags) => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
const MASTER = { MasterUsername: "admin", MasterUserPassword: "password123" };

/** A DB instance; `keyArn` encrypts it under that key, `optionGroup` gives it that (existing) option group. */
export async function instance(
  clients: Clients,
  id: string,
  tags: Tags = {},
  options: { keyArn?: string; optionGroup?: string; engine?: string } = {},
): Promise<void> {
  await clients.rds.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: id,
      Engine: options.engine ?? "postgres",
      DBInstanceClass: "db.t3.micro",
      AllocatedStorage: 20,
      ...MASTER,
      StorageEncrypted: options.keyArn ? true : undefined,
      KmsKeyId: options.keyArn,
      OptionGroupName: options.optionGroup,
      Tags: tagList(tags),
    }),
  );
}

/** An Aurora cluster, encrypted (as AWS creates them by default) unless `encrypted: false`. */
export async function cluster(
  clients: Clients,
  id: string,
  tags: Tags = { Draco_Lifecycle: "Standard" },
  options: { encrypted?: boolean; keyArn?: string } = {},
): Promise<void> {
  await clients.rds.send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: id,
      Engine: "aurora-postgresql",
      ...MASTER,
      StorageEncrypted: options.encrypted ?? true,
      KmsKeyId: options.keyArn,
      Tags: tagList(tags),
    }),
  );
}

export async function snapshotsIn(clients: Clients, type?: string) {
  return (await clients.rds.send(new DescribeDBSnapshotsCommand({ SnapshotType: type }))).DBSnapshots ?? [];
}

export async function clusterSnapshots(clients: Clients, type?: string) {
  return (
    (await clients.rds.send(new DescribeDBClusterSnapshotsCommand({ SnapshotType: type }))).DBClusterSnapshots ?? []
  );
}

/** Scheduled snapshot and restored database names carry the time to the second: start the next run in a new one. */
export async function nextSecond(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 5));
}
