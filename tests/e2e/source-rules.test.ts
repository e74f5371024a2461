// End to end: what the producer refuses before copying anything (unencrypted Aurora clusters, option groups that
// cannot travel), what it replicates when told to (unencrypted clusters, mapped option groups), and a KMS key
// that refuses the transit copy: failed at once, naming the key and the key-policy statement to add.
import { strict as assert } from "node:assert";
import { CreateKeyCommand } from "@aws-sdk/client-kms";
import { CreateOptionGroupCommand, ModifyOptionGroupCommand } from "@aws-sdk/client-rds";
import {
  cluster,
  clusterSnapshots,
  DEST,
  explain,
  instance,
  produce,
  replicate,
  snapshotsIn,
  tagsOf,
  type World,
  worldPerTest,
} from "../../testkit";

const manual = (database: string, kind: "instance" | "cluster") => ({ trigger: "manual", database, kind });

async function optionGroup(world: World, name: string, options: string[]): Promise<void> {
  await world.source.rds.send(
    new CreateOptionGroupCommand({
      OptionGroupName: name,
      EngineName: "oracle-ee",
      MajorEngineVersion: "19",
      OptionGroupDescription: "test",
    }),
  );
  if (options.length > 0) {
    await world.source.rds.send(
      new ModifyOptionGroupCommand({
        OptionGroupName: name,
        OptionsToInclude: options.map((OptionName) => ({ OptionName })),
        ApplyImmediately: true,
      }),
    );
  }
}

describe("e2e: source rules (encryption, option groups, source keys)", () => {
  const worlds = worldPerTest();

  it("refuses an unencrypted Aurora cluster at planning time, naming it and how to encrypt it", async () => {
    const world = await worlds.build({ destRegion: DEST.region });
    await cluster(world.source, "orders", {}, { encrypted: false });
    const run = (await produce(world, manual("orders", "cluster"))).producer;
    assert.equal(run.status, "FAILED");
    assert.deepEqual(run.calls, ["producer-plan", "producer-notify"], "nothing was attempted");
    const [notification] = world.inbox.notifications("/producer-notify");
    assert.equal(notification?.outcome, "failed");
    assert.equal(notification?.failures[0]?.error, "UnencryptedCluster");
    assert.match(notification?.failures[0]?.cause ?? "", /Aurora cluster orders is not encrypted/);
    assert.match(notification?.failures[0]?.cause ?? "", /restore it to a new cluster with StorageEncrypted/);
    assert.deepEqual(await clusterSnapshots(world.sourceInDestRegion), [], "no transit copy");
    assert.deepEqual(world.inbox.at("/announce"), []);
  });

  it("replicates an unencrypted Aurora cluster unencrypted end to end when configured, tagged and reported", async () => {
    const world = await worlds.build({ destRegion: DEST.region, replicateUnencryptedClusters: true });
    await cluster(world.source, "orders", {}, { encrypted: false });
    const flow = await replicate(world, manual("orders", "cluster"));
    assert.equal(flow.producer.status, "SUCCEEDED", explain(world));
    assert.equal(flow.consumers[0]?.status, "SUCCEEDED", explain(world));
    const [transit] = await clusterSnapshots(world.sourceInDestRegion);
    assert.equal(transit?.StorageEncrypted, false);
    assert.equal(tagsOf(transit?.TagList)["rds-replication:encryption"], "none");
    const [copy] = await clusterSnapshots(world.dest, "manual");
    assert.equal(copy?.StorageEncrypted, false);
    assert.equal(tagsOf(copy?.TagList)["rds-replication:encryption"], "none");
    const announced = JSON.parse(world.inbox.at("/announce")[0]?.Message ?? "{}");
    assert.equal(announced.encrypted, false);
    assert.equal(announced.keyArn, undefined);
    assert.match(world.inbox.notifications("/producer-notify")[0]?.summary ?? "", /orders.*UNENCRYPTED/);
    assert.match(world.inbox.notifications("/consumer-notify")[0]?.summary ?? "", /UNENCRYPTED/);
  });

  it("fails at once when the source key refuses, naming it and the key-policy statement to add", async () => {
    const world = await worlds.build({ destRegion: DEST.region });
    const { KeyMetadata } = await world.source.kms.send(new CreateKeyCommand({ Description: "orders database" }));
    const sourceKey = KeyMetadata?.Arn ?? "";
    await instance(world.source, "orders", {}, { keyArn: sourceKey });
    world.proxy.fail("CopyDBSnapshot", "KMSKeyNotAccessibleFault", 10);
    const run = (await produce(world, manual("orders", "instance"))).producer;
    assert.equal(run.calls.filter((c) => c === "producer-transit").length, 1, "not retried");
    const [notification] = world.inbox.notifications("/producer-notify");
    assert.equal(notification?.failures[0]?.error, "KmsKeyNotAccessible");
    const cause = notification?.failures[0]?.cause ?? "";
    assert.ok(cause.includes(`key ${sourceKey}: {"Sid":"RdsReplicationFrom${world.producerConfig.account}"`), cause);
    assert.ok(cause.includes(`"kms:ViaService":"rds.${world.producerConfig.region}.amazonaws.com"`), cause);
  });

  it("refuses an instance whose option group has TDE or cannot be mapped to the destination region", async () => {
    const world = await worlds.build({ destRegion: DEST.region });
    await optionGroup(world, "ledger-tde", ["TDE"]);
    await instance(world.source, "orders", {}, { engine: "oracle-ee", optionGroup: "ledger-tde" });
    await optionGroup(world, "ledger-og", ["S3_INTEGRATION"]);
    await instance(world.source, "billing", { replicate: "yes" }, { engine: "oracle-ee", optionGroup: "ledger-og" });
    const run = (await produce(world, { trigger: "schedule" })).producer;
    assert.equal(run.status, "FAILED");
    assert.deepEqual(run.calls, ["producer-plan", "producer-notify"], "nothing was attempted");
    const failures = world.inbox.notifications("/producer-notify")[0]?.failures ?? [];
    const byItem = Object.fromEntries(failures.map((f) => [f.item, f]));
    assert.equal(byItem["instance orders"]?.error, "OptionGroupNotShareable");
    assert.match(byItem["instance orders"]?.cause ?? "", /ledger-tde .*TDE \(TDE\)/);
    assert.equal(byItem["instance billing"]?.error, "OptionGroupNotMapped");
    assert.match(byItem["instance billing"]?.cause ?? "", new RegExp(`${DEST.region}/ledger-og=`));
    assert.deepEqual(await snapshotsIn(world.sourceInDestRegion, "manual"), []);
  });

  it("names the destination region's option group on a cross-region copy", async () => {
    const world = await worlds.build({
      destRegion: DEST.region,
      optionGroups: { [DEST.region]: { "ledger-og": "ledger-og-dr" } },
    });
    await optionGroup(world, "ledger-og", ["S3_INTEGRATION"]);
    await instance(world.source, "orders", {}, { engine: "oracle-ee", optionGroup: "ledger-og" });
    const flow = await replicate(world, manual("orders", "instance"));
    assert.equal(flow.producer.status, "SUCCEEDED", explain(world));
    const copies = world.proxy.requests.filter((r) => r.action === "CopyDBSnapshot");
    assert.equal(copies[0]?.params.get("OptionGroupName"), "ledger-og-dr");
    assert.equal(copies[0]?.params.get("SourceDBSnapshotIdentifier")?.includes(":snapshot:"), true);
  });
});
