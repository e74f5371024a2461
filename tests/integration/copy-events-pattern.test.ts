// The copy-finished rule's pattern (components/copyEvents.ts) evaluated by the emulator's EventBridge on events
// of the shape AWS documents: the envelope of the RDS User Guide's DB snapshot event example with the detail of
// RDS-EVENT-0060 / RDS-EVENT-0197 from the RDS event table (testkit/rdsEvents.ts), checked against the envelope
// of the AWS sample in ../shared/testdata/rds-events/. Other snapshot events, cluster snapshot events and (for
// the producer's rule) copies that are not transit copies are not matched.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { copyFinishedEventPattern } from "../../components/copyEvents";
import { TRANSIT_ID_PREFIX } from "../../functions/decisions/naming";
import { clientsFor, copyFinishedEvent, DEST, eventBridge, ruleToQueue } from "../../testkit";

const SAMPLES = path.resolve(__dirname, "../../../shared/testdata/rds-events");
const sample = (file: string) => JSON.parse(fs.readFileSync(path.join(SAMPLES, file), "utf8"));

/** An EventBridge event as PutEvents takes it (the account and region are the caller's). */
const entry = (event: { source: string; "detail-type": string; resources: string[]; detail: object }) => ({
  Source: event.source,
  DetailType: event["detail-type"],
  Resources: event.resources,
  Detail: JSON.stringify(event.detail),
});

const keysOf = (value: object) => Object.keys(value).sort();

describe("the copy-finished rule's event pattern on the emulator's EventBridge (documented RDS events)", () => {
  const copy = (copyId: string, sourceRegion: string, eventId?: string) =>
    copyFinishedEvent({
      account: DEST.account,
      region: DEST.region,
      copyId,
      source: { name: "orders-2026-11-30", region: sourceRegion },
      eventId,
    });

  it("builds the events in the envelope of AWS's DB snapshot event sample, with the documented messages", () => {
    const documented = sample("eb-db-snapshot-0041-deleted.aws-docs.json");
    const local = copy("orders-copy", DEST.region);
    const crossRegion = copy("rr-orders-copy", "eu-west-1");
    for (const event of [local, crossRegion]) {
      assert.deepEqual(keysOf(event), keysOf(documented));
      assert.deepEqual(keysOf(event.detail), keysOf(documented.detail));
      assert.equal(event["detail-type"], documented["detail-type"]);
      assert.equal(event.detail.SourceType, documented.detail.SourceType);
    }
    assert.equal(local.detail.EventID, "RDS-EVENT-0197");
    assert.match(local.detail.Message, /^Finished copy of snapshot \S+ in region \S+\.$/);
    assert.equal(crossRegion.detail.EventID, "RDS-EVENT-0060");
    assert.match(crossRegion.detail.Message, /^Finished copy of snapshot \S+ from region \S+ in \d+ minutes\.$/);
  });

  it("the consumer's pattern matches both copy-finished events of any copy, nothing else", async () => {
    const clients = await clientsFor(DEST);
    const rule = await ruleToQueue(clients, "copy-events-consumer", copyFinishedEventPattern());
    await eventBridge(clients, "PutEvents", {
      Entries: [
        entry(copy("orders-copy", DEST.region)),
        entry(copy("rr-orders-copy", "eu-west-1")),
        // Started (RDS-EVENT-0059/0196) and canceled (0190) copies, a created snapshot, cluster snapshot events.
        entry(copy("orders-copy", "eu-west-1", "RDS-EVENT-0059")),
        entry(copy("orders-copy", DEST.region, "RDS-EVENT-0196")),
        entry(copy("orders-copy", DEST.region, "RDS-EVENT-0190")),
        entry(sample("eb-db-snapshot-0042-manual-created.derived.json")),
        entry(sample("eb-db-cluster-snapshot-0075-manual-created.derived.json")),
        entry(sample("eb-db-cluster-snapshot-0074-creating.aws-docs.json")),
      ],
    });
    const got = await rule.received();
    assert.deepEqual(got.map((e) => (e.detail as { EventID: string }).EventID).sort(), [
      "RDS-EVENT-0060",
      "RDS-EVENT-0197",
    ]);
  });

  it("the producer's pattern matches the copy-finished events of transit copies (rr-*) only", async () => {
    const clients = await clientsFor(DEST);
    const rule = await ruleToQueue(clients, "copy-events-producer", copyFinishedEventPattern(TRANSIT_ID_PREFIX));
    await eventBridge(clients, "PutEvents", {
      Entries: [
        entry(copy("rr-orders-copy-1a2b", "eu-west-1")),
        entry(copy("rr-orders-copy-3c4d", DEST.region)),
        entry(copy("orders-copy", "eu-west-1")),
        entry(copy("manual-rr-orders", DEST.region)),
      ],
    });
    const got = await rule.received();
    assert.deepEqual(got.map((e) => (e.detail as { SourceIdentifier: string }).SourceIdentifier).sort(), [
      "rr-orders-copy-1a2b",
      "rr-orders-copy-3c4d",
    ]);
  });
});
