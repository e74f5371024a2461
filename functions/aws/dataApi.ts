// The RDS Data API on a restore test's Aurora cluster: credentials and endpoint first, then one statement.
// The restored cluster's master password is the source's, unknown here: RDS is asked to manage it instead
// (ModifyDBCluster ManageMasterUserPassword creates the secret `rds!cluster-...`, deleted with the cluster),
// and the HTTP endpoint is turned on with EnableHttpEndpoint, the operation for provisioned and Serverless v2
// clusters (ModifyDBCluster's EnableHttpEndpoint member applies to Serverless v1 only).
import {
  DescribeDBClustersCommand,
  EnableHttpEndpointCommand,
  ModifyDBClusterCommand,
  type RDSClient,
} from "@aws-sdk/client-rds";
import { ExecuteStatementCommand, type Field, RDSDataClient } from "@aws-sdk/client-rds-data";

export function rdsDataIn(): RDSDataClient {
  return new RDSDataClient({});
}

/** Where a cluster stands for the Data API; `ready` once the secret is active and the endpoint enabled. */
export interface DataApiAccess {
  clusterArn: string;
  secretArn?: string;
  ready: boolean;
  /** What is still pending, for the log and the retry's message. */
  waitingFor: string[];
}

/**
 * Asks RDS for what the Data API needs that the cluster lacks, one change at a time and only while the cluster
 * is available (a change during another fails as busy; a retried step finds what it already asked for), and
 * says whether all is in place. RDS creates the secret and enables the endpoint asynchronously.
 */
export async function openDataApi(rds: RDSClient, id: string): Promise<DataApiAccess | undefined> {
  const describe = async () =>
    (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }))).DBClusters?.[0];
  let cluster = await describe();
  if (!cluster?.DBClusterArn) return undefined;
  const clusterArn = cluster.DBClusterArn;
  if (cluster.Status === "available" && !cluster.MasterUserSecret?.SecretArn) {
    await rds.send(
      new ModifyDBClusterCommand({ DBClusterIdentifier: id, ManageMasterUserPassword: true, ApplyImmediately: true }),
    );
    cluster = await describe();
  }
  if (cluster?.Status === "available" && !cluster.HttpEndpointEnabled) {
    await rds.send(new EnableHttpEndpointCommand({ ResourceArn: clusterArn }));
    cluster = await describe();
  }
  const secretArn = cluster?.MasterUserSecret?.SecretArn;
  const waitingFor = [
    ...(cluster?.Status === "available" ? [] : [`cluster status ${cluster?.Status ?? "unknown"}`]),
    ...(secretArn && cluster?.MasterUserSecret?.SecretStatus === "active" ? [] : ["the master user secret"]),
    ...(cluster?.HttpEndpointEnabled ? [] : ["the HTTP endpoint"]),
  ];
  return { clusterArn, secretArn, ready: waitingFor.length === 0, waitingFor };
}

/** One statement through the Data API; its records as the API returns them (fields per row). */
export async function executeStatement(
  client: RDSDataClient,
  clusterArn: string,
  secretArn: string,
  sql: string,
): Promise<Field[][]> {
  const out = await client.send(new ExecuteStatementCommand({ resourceArn: clusterArn, secretArn, sql }));
  return out.records ?? [];
}
