// What RDS reports of a restore test's database, for the checks of functions/decisions/restoreTestChecks.ts.
import { DescribeDBClustersCommand, DescribeDBInstancesCommand, type RDSClient } from "@aws-sdk/client-rds";
import { isNotFound, type Kind } from "../decisions/errors";
import type { Observed } from "../decisions/restoreTestChecks";

/** A cluster's own status, engine and encryption (its writer instance is checked by the poll step). */
export async function observeDatabase(rds: RDSClient, kind: Kind, id: string): Promise<Observed | undefined> {
  try {
    if (kind === "cluster") {
      const c = (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }))).DBClusters?.[0];
      return (
        c && {
          status: c.Status ?? "unknown",
          engine: c.Engine ?? "",
          engineVersion: c.EngineVersion,
          allocatedGiB: c.AllocatedStorage,
          encrypted: c.StorageEncrypted === true,
          kmsKeyId: c.KmsKeyId,
          endpoint: c.Endpoint,
        }
      );
    }
    const i = (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }))).DBInstances?.[0];
    return (
      i && {
        status: i.DBInstanceStatus ?? "unknown",
        engine: i.Engine ?? "",
        engineVersion: i.EngineVersion,
        allocatedGiB: i.AllocatedStorage,
        encrypted: i.StorageEncrypted === true,
        kmsKeyId: i.KmsKeyId,
        endpoint: i.Endpoint?.Address,
      }
    );
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
