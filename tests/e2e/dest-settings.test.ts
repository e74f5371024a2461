// End to end: DRACO's two dest-side settings. `copyTags` adds this account's tags to every copy it makes (over
// the carried source tags, under the tool's own); a source database whose lifecycle tag is `Ignore` is not
// replicated here at all, and is reported once per announced snapshot, not as a failure. Each next to a control.
import { strict as assert } from "node:assert";
import { DEST, explain, instance, replicate, SOURCE, snapshotsIn, tagsOf, worldPerTest } from "../../testkit";

describe("e2e: dest-side settings (copyTags, lifecycle Ignore)", () => {
  const worlds = worldPerTest();

  it("copyTags: every copy carries this account's tags, which win over carried ones; the tool's own win over them", async () => {
    const world = await worlds.build({
      destRegion: DEST.region,
      copyTags: { "cost-centre": "dr-42", team: "dr-platform", "managed-by": "someone-else" },
    });
    await instance(world.source, "orders", { team: "billing", owner: "dba" });
    const flow = await replicate(world, { trigger: "schedule" });
    assert.equal(flow.consumers[0]?.status, "SUCCEEDED", explain(world));
    const [copy] = await snapshotsIn(world.dest, "manual");
    const tags = tagsOf(copy?.TagList);
    assert.equal(tags["cost-centre"], "dr-42", "added to the copy");
    assert.equal(tags.team, "dr-platform", "this account's tag wins over the carried one");
    assert.equal(tags.owner, "dba", "other carried tags stay");
    assert.equal(tags["managed-by"], "rds-replication", "the tool's own tag wins");
    assert.equal(tags["rds-replication:source-database"], "orders");
    // Only copies in this account: the transit copy in the source account has none of them.
    const [transit] = await snapshotsIn(world.sourceInDestRegion);
    assert.equal(tagsOf(transit?.TagList)["cost-centre"], undefined);
  });

  it("control: without copyTags the copy carries the source's tags only", async () => {
    const world = await worlds.build({ destRegion: DEST.region });
    await instance(world.source, "orders", { team: "billing", owner: "dba" });
    const flow = await replicate(world, { trigger: "schedule" });
    assert.equal(flow.consumers[0]?.status, "SUCCEEDED", explain(world));
    const [copy] = await snapshotsIn(world.dest, "manual");
    const tags = tagsOf(copy?.TagList);
    assert.equal(tags["cost-centre"], undefined);
    assert.equal(tags.team, "billing");
  });

  it("lifecycle Ignore: that database is not copied, the other one is, and the run reports it once, not as a failure", async () => {
    const world = await worlds.build({ destRegion: SOURCE.region });
    // "orders" is selected by identifier, "legacy" by the world's selector tag (replicate=yes).
    await instance(world.source, "orders", { Draco_Lifecycle: "Test" });
    await instance(world.source, "legacy", { Draco_Lifecycle: "Ignore", replicate: "yes" });
    const flow = await replicate(world, { trigger: "schedule" });
    assert.equal(flow.producer.status, "SUCCEEDED", explain(world));
    assert.deepEqual(flow.intake.rejected, []);
    assert.equal(flow.intake.started.length, 1, "a run for orders only");
    assert.equal(flow.intake.ignored.length, 1);
    assert.match(flow.intake.ignored[0] ?? "", /:snapshot:.*legacy/);
    assert.equal(flow.consumers.length, 1);
    assert.equal(flow.consumers[0]?.status, "SUCCEEDED", explain(world));

    const copies = await snapshotsIn(world.dest, "manual");
    const copied = copies.map((s) => tagsOf(s.TagList)["rds-replication:source-database"]);
    assert.deepEqual(copied, ["orders"], "nothing of legacy is copied into this account");

    const notes = world.inbox.notifications("/consumer-notify");
    const ignored = notes.filter((n) => (n.ignored ?? []).length > 0);
    assert.equal(ignored.length, 1, "reported once");
    assert.equal(ignored[0]?.outcome, "succeeded");
    assert.deepEqual(ignored[0]?.failures, []);
    assert.deepEqual(ignored[0]?.ignored, ["legacy (Draco_Lifecycle=Ignore)"]);
    assert.match(ignored[0]?.summary ?? "", /ignored legacy \(Draco_Lifecycle=Ignore\).*nothing copied/);
    assert.ok(
      notes.every((n) => n.outcome === "succeeded"),
      "no failure reported",
    );
  });

  it("control: the same database with another lifecycle value is copied", async () => {
    const world = await worlds.build({ destRegion: SOURCE.region });
    await instance(world.source, "legacy", { Draco_Lifecycle: "Standard", replicate: "yes" });
    const flow = await replicate(world, { trigger: "schedule" });
    assert.equal(flow.intake.ignored.length, 0);
    assert.equal(flow.consumers[0]?.status, "SUCCEEDED", explain(world));
    const copies = await snapshotsIn(world.dest, "manual");
    assert.deepEqual(
      copies.map((s) => tagsOf(s.TagList)["rds-replication:source-database"]),
      ["legacy"],
    );
  });
});
