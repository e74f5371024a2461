// End to end for per-database refresh (issue 12) and the monotonic secret switch (issue 11) on the emulator:
// real serialized handlers, the deployed consumer definition. Several databases refreshed into their own
// secrets, a database without a target only copied, each target's newest N kept whatever the number of
// nights, restores per day capped, and a late run of older data never taking the secret back.
import { strict as assert } from "node:assert";
import { DescribeDBClustersCommand, DescribeDBInstancesCommand } from "@aws-sdk/client-rds";
import { GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { DescribeExecutionCommand, ListExecutionsCommand } from "@aws-sdk/client-sfn";
import {
  cluster,
  consumerMachine,
  execute,
  explain,
  instance,
  nextSecond,
  produce,
  RESTORE_SECRET,
  replicate,
  SOURCE,
  snapshotsIn,
  snsEvent,
  tagsOf,
  type World,
  worldPerTest,
} from "../../testkit";

const REPLICATED = { replicate: "yes" };

async function secretOf(world: World, name: string): Promise<Record<string, unknown>> {
  const out = await world.dest.secrets.send(new GetSecretValueCommand({ SecretId: name }));
  return JSON.parse(out.SecretString ?? "{}");
}

/** Restored databases of the destination (instances and clusters), by the source database they hold. */
async function restoredBy(world: World): Promise<Record<string, string[]>> {
  const instances = (await world.dest.rds.send(new DescribeDBInstancesCommand({}))).DBInstances ?? [];
  const clusters = (await world.dest.rds.send(new DescribeDBClustersCommand({}))).DBClusters ?? [];
  const out: Record<string, string[]> = {};
  for (const db of [
    ...instances.filter((i) => !i.DBClusterIdentifier).map((i) => ({ id: i.DBInstanceIdentifier, tags: i.TagList })),
    ...clusters.map((c) => ({ id: c.DBClusterIdentifier, tags: c.TagList })),
  ]) {
    const tags = tagsOf(db.tags);
    if (tags["rds-replication:role"] !== "restored") continue;
    const database = tags["rds-replication:source-database"] ?? "?";
    out[database] = [...(out[database] ?? []), db.id ?? ""].sort();
  }
  return out;
}

async function nights(world: World, count: number, done = new Set<string>()): Promise<void> {
  for (let i = 0; i < count; i++) {
    await nextSecond();
    const flow = await replicate(world, { trigger: "schedule" }, done);
    assert.equal(flow.producer.status, "SUCCEEDED", explain(world));
    assert.ok(
      flow.consumers.length > 0 && flow.consumers.every((c) => c.status === "SUCCEEDED"),
      `${flow.consumers.map((c) => c.cause).join("; ")}\n${explain(world)}`,
    );
  }
}

describe("e2e: per-database refresh", () => {
  const worlds = worldPerTest();

  it("two databases refreshed into two secrets, a third announced but not listed is copied and never restored; each keeps exactly its N after three nights, snapshot deletions in dry run", async () => {
    const world = await worlds.build({
      destRegion: SOURCE.region,
      deletionsEnabled: false,
      refreshTargets: [
        {
          database: "orders",
          kind: "instance",
          secretName: "dev/orders",
          instancePrefix: "orders-dev",
          keepInstances: 2,
        },
        {
          database: "billing",
          kind: "cluster",
          secretName: "dev/billing",
          instancePrefix: "billing-dev",
          keepInstances: 1,
        },
      ],
    });
    await instance(world.source, "orders");
    await cluster(world.source, "billing", { ...REPLICATED, Draco_Lifecycle: "Standard" });
    await instance(world.source, "audit", REPLICATED);
    await nights(world, 3);

    const restored = await restoredBy(world);
    assert.deepEqual(Object.keys(restored).sort(), ["billing", "orders"], "audit has no target: never restored");
    assert.equal(restored.orders?.length, 2, "orders keeps its newest 2");
    assert.equal(restored.billing?.length, 1, "billing keeps its newest 1");
    assert.ok(restored.orders?.every((id) => id.startsWith("orders-dev-")));
    assert.ok(restored.billing?.every((id) => id.startsWith("billing-dev-")));

    const orders = await secretOf(world, "dev/orders");
    const billing = await secretOf(world, "dev/billing");
    assert.equal(orders.dbInstanceIdentifier, restored.orders?.at(-1), "orders' secret: its own newest restore");
    assert.equal(billing.dbClusterIdentifier, restored.billing?.[0], "billing's secret: its own newest restore");
    assert.equal(orders.dbClusterIdentifier, undefined, "no billing endpoint in orders' secret");
    assert.equal(billing.dbInstanceIdentifier, undefined, "no orders endpoint in billing's secret");

    // audit was copied every night all the same.
    const auditCopies = (await snapshotsIn(world.dest, "manual")).filter(
      (s) => tagsOf(s.TagList)["rds-replication:source-database"] === "audit",
    );
    assert.equal(auditCopies.length, 3);
    assert.equal(world.proxy.requests.filter((r) => r.action === "DeleteDBSnapshot").length, 0, "copies: dry run");
  });

  it("restores per day are capped: the run after the cap copies, reports the skip, restores nothing", async () => {
    const world = await worlds.build({
      destRegion: SOURCE.region,
      refreshTargets: [
        {
          database: "orders",
          kind: "instance",
          secretName: "dev/orders",
          instancePrefix: "orders-dev",
          maxRestoresPerDay: 1,
        },
      ],
    });
    await instance(world.source, "orders");
    await nights(world, 2);
    assert.equal((await restoredBy(world)).orders?.length, 1);
    const restores = world.proxy.requests.filter((r) => r.action === "RestoreDBInstanceFromDBSnapshot");
    assert.equal(restores.length, 1, "the second run of the day started no restore");
    const summary = world.inbox.notifications("/consumer-notify").at(-1)?.summary ?? "";
    assert.match(summary, /not restored: 1 restores of orders today already \(maxRestoresPerDay\)/);
    assert.equal((await snapshotsIn(world.dest, "manual")).length, 2, "both snapshots copied");
  });
});

/** The consumer executions the intake started and that have not run yet, with their input. */
async function pendingConsumers(world: World, done: Set<string>): Promise<{ arn: string; input: unknown }[]> {
  const { executions } = await world.sfn.send(new ListExecutionsCommand({ stateMachineArn: world.stateMachineArn }));
  const out: { arn: string; input: unknown }[] = [];
  for (const e of executions ?? []) {
    if (!e.executionArn || done.has(e.executionArn)) continue;
    const described = await world.sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn }));
    out.push({ arn: e.executionArn, input: JSON.parse(described.input ?? "{}") });
  }
  return out;
}

describe("e2e: the secret switch is monotonic (issue 11: a late, older run)", () => {
  const worlds = worldPerTest();
  const manual = { trigger: "manual", database: "orders", kind: "instance" };

  async function scene() {
    // Deletions on, keep 1: the setting under which the late run used to delete the newer instance.
    // Transit copies kept long enough for the late run to copy its snapshot.
    const world = await worlds.build({
      destRegion: SOURCE.region,
      restore: true,
      deletionsEnabled: true,
      keepInstances: 1,
      keep: 5,
    });
    await instance(world.source, "orders");
    const done = new Set<string>();
    // Night 1 is produced and announced, but its consumer run is held back.
    const before = world.inbox.at("/announce").length;
    await produce(world, manual, done);
    await world.intake(snsEvent(world.inbox.at("/announce").slice(before)));
    const [late] = await pendingConsumers(world, done);
    assert.ok(late, "night 1's consumer run was started");
    done.add(late.arn);
    return { world, done, late };
  }

  it("control: in order, the secret moves to the newer restore and the older instance is deleted", async () => {
    const { world, done, late } = await scene();
    const first = await execute(consumerMachine(world), world.consumer, late.input, late.arn);
    assert.equal(first.status, "SUCCEEDED", explain(world));
    const [older] = (await restoredBy(world)).orders ?? [];
    await nextSecond();
    const second = await replicate(world, manual, done);
    assert.equal(second.consumers[0]?.status, "SUCCEEDED", explain(world));
    const [newer] = (await restoredBy(world)).orders ?? [];
    assert.ok(newer && newer !== older);
    assert.equal((await secretOf(world, RESTORE_SECRET)).dbInstanceIdentifier, newer);
  });

  it("attack: a late run of older data neither takes the secret back nor deletes the newer instance", async () => {
    const { world, done, late } = await scene();
    await nextSecond();
    const second = await replicate(world, manual, done);
    assert.equal(second.consumers[0]?.status, "SUCCEEDED", explain(world));
    const [newer] = (await restoredBy(world)).orders ?? [];
    assert.ok(newer);
    const secretBefore = await secretOf(world, RESTORE_SECRET);
    assert.equal(secretBefore.dbInstanceIdentifier, newer);

    const run = await execute(consumerMachine(world), world.consumer, late.input, late.arn);
    assert.equal(run.status, "SUCCEEDED", explain(world));
    assert.deepEqual(await secretOf(world, RESTORE_SECRET), secretBefore, "the secret still points to newer data");
    assert.deepEqual((await restoredBy(world)).orders, [newer], "the newer instance survives; nothing older restored");
    const summary = world.inbox.notifications("/consumer-notify").at(-1)?.summary ?? "";
    assert.match(summary, new RegExp(`not restored: ${newer} already holds data as new as`));
  });

  it("attack: a restore of older data started before the newer switch does not take the secret back when it finishes", async () => {
    const { world, done, late } = await scene();
    // The late run gets as far as starting its restore while the secret is still empty...
    const state = { announcement: late.input, execution: late.arn };
    const copy = (await world.consumer["consumer-copy"]!(state)) as Record<string, unknown>;
    const restore = (await world.consumer["consumer-restore"]!({ ...state, copy })) as {
      restored?: { id: string };
      operation: string;
      poll: { done?: boolean };
    };
    assert.ok(restore.restored, "nothing newer existed yet: the older restore started");
    for (let turn = 0; !restore.poll.done && turn < 10; turn++)
      restore.poll = (await world.consumer["consumer-poll"]!({
        target: restore.restored,
        operation: restore.operation,
        poll: restore.poll,
        execution: late.arn,
      })) as { done?: boolean };
    assert.ok(restore.poll.done, "the older restore became available");
    // ...then the newer night runs to the end (its cleanup removes the older restore: older data, not the last)...
    await nextSecond();
    const second = await replicate(world, manual, done);
    assert.equal(second.consumers[0]?.status, "SUCCEEDED", explain(world));
    const secretBefore = await secretOf(world, RESTORE_SECRET);
    const newer = String(secretBefore.dbInstanceIdentifier);
    assert.notEqual(newer, restore.restored.id);
    // ...and the older one switches and cleans up last: the switch re-reads the secret and keeps it.
    const switched = (await world.consumer["consumer-switch"]!({ ...state, copy, restore })) as {
      switched: boolean;
      toDelete: string[];
    };
    assert.equal(switched.switched, false);
    const after = { ...state, copy, restore, switch: switched };
    await world.consumer["consumer-unprotect"]!(after);
    await world.consumer["consumer-cleanup"]!(after);
    assert.deepEqual(await secretOf(world, RESTORE_SECRET), secretBefore);
    assert.deepEqual((await restoredBy(world)).orders, [newer], "the database the secret points to is never deleted");
  });
});
