// The emulator answers the RDS Data API as AWS does on the restore tests' path (testkit/emulator/moto_server.py,
// block 10): plain moto returns its canned result for any cluster and secret, has no EnableHttpEndpoint and no
// RDS-managed master user secret; each test here fails there.
import { strict as assert } from "node:assert";
import {
  DeleteDBClusterCommand,
  DescribeDBClustersCommand,
  EnableHttpEndpointCommand,
  ModifyDBClusterCommand,
} from "@aws-sdk/client-rds";
import { ExecuteStatementCommand, RDSDataClient } from "@aws-sdk/client-rds-data";
import { GetSecretValueCommand, ListSecretsCommand } from "@aws-sdk/client-secrets-manager";
import { type Clients, clientsFor, cluster, emulatorEndpoint, queueDataApiResult, SOURCE } from "../../testkit";

const dataApi = (clients: Clients) =>
  new RDSDataClient({ region: clients.place.region, endpoint: emulatorEndpoint(), credentials: clients.credentials });

async function describe1(clients: Clients, id: string) {
  const found = (await clients.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }))).DBClusters?.[0];
  assert.ok(found?.DBClusterArn);
  return { ...found, DBClusterArn: found.DBClusterArn };
}

describe("AWS emulator: the RDS Data API", () => {
  it("refuses ExecuteStatement while the cluster's HTTP endpoint is not enabled, and with a secret that does not exist", async () => {
    const clients = await clientsFor(SOURCE);
    await cluster(clients, "reports");
    const { DBClusterArn, HttpEndpointEnabled } = await describe1(clients, "reports");
    assert.equal(HttpEndpointEnabled, false);
    await queueDataApiResult(SOURCE, [[{ longValue: 1 }]]);
    const select = (secretArn: string) =>
      dataApi(clients).send(new ExecuteStatementCommand({ resourceArn: DBClusterArn, secretArn, sql: "SELECT 1" }));

    // RDS makes the master user secret when asked to manage the password, and reports it.
    const modified = await clients.rds.send(
      new ModifyDBClusterCommand({
        DBClusterIdentifier: "reports",
        ManageMasterUserPassword: true,
        ApplyImmediately: true,
      }),
    );
    const secretArn = modified.DBCluster?.MasterUserSecret?.SecretArn ?? "";
    assert.match(secretArn, /:secret:rds!cluster-[0-9a-f-]+-\w{6}$/);
    assert.equal((await describe1(clients, "reports")).MasterUserSecret?.SecretArn, secretArn);
    const value = JSON.parse(
      (await clients.secrets.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString ?? "{}",
    );
    assert.equal(value.username, "admin", "the cluster's master user");

    await assert.rejects(select(secretArn), (e: Error) => e.name === "HttpEndpointNotEnabledException");

    const enabled = await clients.rds.send(new EnableHttpEndpointCommand({ ResourceArn: DBClusterArn }));
    assert.equal(enabled.HttpEndpointEnabled, true);
    assert.equal((await describe1(clients, "reports")).HttpEndpointEnabled, true);
    await assert.rejects(
      select(secretArn.replace(/rds!cluster-[^:]+$/, "rds!cluster-missing")),
      (e: Error) => e.name === "SecretsErrorException",
    );
    const { records } = await select(secretArn);
    assert.deepEqual(records, [[{ longValue: 1 }]]);

    // Deleting the cluster deletes its secret, as RDS does.
    await clients.rds.send(new DeleteDBClusterCommand({ DBClusterIdentifier: "reports", SkipFinalSnapshot: true }));
    const names = ((await clients.secrets.send(new ListSecretsCommand({}))).SecretList ?? []).map((s) => s.Name);
    assert.deepEqual(
      names.filter((n) => n?.startsWith("rds!")),
      [],
    );
  });

  it("refuses ExecuteStatement on a cluster that does not exist", async () => {
    const clients = await clientsFor(SOURCE);
    await assert.rejects(
      dataApi(clients).send(
        new ExecuteStatementCommand({
          resourceArn: `arn:aws:rds:${SOURCE.region}:${SOURCE.account}:cluster:nowhere`,
          secretArn: `arn:aws:secretsmanager:${SOURCE.region}:${SOURCE.account}:secret:rds!cluster-x`,
          sql: "SELECT 1",
        }),
      ),
      (e: Error) => e.name === "NotFoundException",
    );
  });
});
