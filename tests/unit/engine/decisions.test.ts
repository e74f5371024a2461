// The engine's pure decisions: error classes, transit rule, names, tags, announcement validation,
// notifications, and the shape of both state machine definitions.
import { strict as assert } from "node:assert";
import {
  consumerDefinition,
  producerDatabaseDefinition,
  producerDispatchDefinition,
  TASK_TIMEOUT_MARGIN_SECONDS,
  WAIT_FOR_TASK_TOKEN,
} from "../../../components/stateMachines";
import { STEPS, stepByKey } from "../../../functions/catalog";
import { validateAnnouncement } from "../../../functions/contracts/announcement";
import { parseConfig, producerConfigSchema } from "../../../functions/contracts/runtimeConfig";
import {
  restoreAllowance,
  restoredFor,
  restoredToDelete,
  retentionPolicyFor,
  switchAllowed,
  switchedSecret,
} from "../../../functions/decisions/destinationRules";
import { classifyAwsError, isRetryable, quotaMessage, RETRY_POLICIES } from "../../../functions/decisions/errors";
import {
  destinationCopyId,
  executionName,
  scheduledSnapshotId,
  transitSnapshotId,
} from "../../../functions/decisions/naming";
import { buildNotification } from "../../../functions/decisions/notificationMessage";
import { DEFAULT_POLL_BOUNDS } from "../../../functions/decisions/pollSchedule";
import { RETENTION_PRESETS } from "../../../functions/decisions/retentionPolicy";
import {
  copiedUnencrypted,
  isSelected,
  needsOptionGroup,
  refusalOf,
  routesFor,
  transitDecision,
} from "../../../functions/decisions/sourceRules";
import {
  carryTags,
  MAX_TAGS,
  mergeTags,
  OWN_TAG_COUNT,
  provenanceTags,
  UNENCRYPTED_TAGS,
} from "../../../functions/decisions/tags";
import { sampleAnnouncement, sampleConsumerConfig } from "../../support/samples";

// asl-validator ships no type declarations.
const validator = require("asl-validator") as (definition: object) => { isValid: boolean; errors: unknown };

const awsError = (name: string, message = "boom") => Object.assign(new Error(message), { name });

describe("engine: error classification", () => {
  it("maps seed 004's AWS errors to retryable or fatal classes", () => {
    const ctx = {
      operation: "copy x",
      keyArns: ["arn:aws:kms:eu-west-1:111111111111:key/k", undefined],
      account: "222222222222",
    };
    assert.equal(classifyAwsError(awsError("ThrottlingException"), ctx).name, "Throttled");
    assert.equal(classifyAwsError(awsError("InvalidDBInstanceStateFault"), ctx).name, "ResourceBusy");
    assert.equal(classifyAwsError(awsError("DBSnapshotNotFoundFault"), ctx).name, "SnapshotNotVisible");
    assert.equal(classifyAwsError(awsError("DBClusterSnapshotNotFoundFault"), ctx).name, "SnapshotNotVisible");
    const kms = classifyAwsError(awsError("KMSKeyNotAccessibleFault"), ctx);
    assert.equal(kms.name, "KmsKeyNotAccessible");
    assert.match(kms.message, /arn:aws:kms:eu-west-1:111111111111:key\/k/);
    assert.match(kms.message, /account 222222222222/);
    assert.match(kms.message, /kms:CreateGrant/);
    assert.match(kms.message, /Not retried/);
    assert.ok(!isRetryable(kms));
    // The exact statement to add to the key's policy, as JSON.
    const statement = JSON.parse(
      /key arn:aws:kms:eu-west-1:111111111111:key\/k: (\{.*\})\), and/.exec(kms.message)?.[1] ?? "{}",
    );
    assert.deepEqual(statement, {
      Sid: "RdsReplicationFrom222222222222",
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::222222222222:root" },
      Action: ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey*", "kms:ReEncrypt*", "kms:CreateGrant"],
      Resource: "*",
      Condition: { StringEquals: { "kms:ViaService": "rds.eu-west-1.amazonaws.com" } },
    });
    const kmsDenied = awsError("AccessDeniedException", "User is not authorized to perform: kms:CreateGrant");
    assert.equal(classifyAwsError(kmsDenied, ctx).name, "KmsKeyNotAccessible");
    const other = awsError("AccessDenied");
    assert.equal(classifyAwsError(other, ctx), other, "unknown errors keep their own name");
    for (const name of ["Throttled", "ResourceBusy", "SnapshotNotVisible"]) {
      assert.ok(name in RETRY_POLICIES);
    }
    assert.ok(!("KmsKeyNotAccessible" in RETRY_POLICIES) && !("QuotaExceeded" in RETRY_POLICIES));
    // A copy waiting for a slot is admitted (functions/decisions/admission.ts), never retried against a budget.
    assert.ok(!("CopyLimitReached" in RETRY_POLICIES) && !("AdmissionExpired" in RETRY_POLICIES));
  });

  it("says which snapshot quota was reached", () => {
    const base = { kind: "instance" as const, account: "2", region: "r" };
    assert.match(
      quotaMessage({ ...base, manualSnapshots: 100, copiesInProgress: 3 }),
      /quota reached is manual snapshots \(100 of 100/,
    );
    assert.match(
      quotaMessage({ ...base, manualSnapshots: 40, copiesInProgress: 20 }),
      /quota reached is copies in progress \(20 of 20/,
    );
    assert.match(
      quotaMessage({ ...base, kind: "cluster", manualSnapshots: 4, copiesInProgress: 5 }),
      /5 of 5 DB cluster/,
    );
    assert.match(quotaMessage({ ...base, manualSnapshots: 4, copiesInProgress: 1 }), /neither count is at its limit/);
  });
});

describe("engine: producer rules", () => {
  const key = "arn:aws:kms:eu-central-1:111111111111:key/transit";
  it("copies unless a manual snapshot is already under the transit key in the destination region", () => {
    const manual = { kind: "instance" as const, type: "manual", encrypted: true, kmsKeyId: key };
    assert.deepEqual(transitDecision(manual, "eu-central-1", "eu-central-1", key), { action: "share-directly" });
    assert.equal(transitDecision({ ...manual, type: "automated" }, "eu-central-1", "eu-central-1", key).action, "copy");
    assert.equal(transitDecision({ ...manual, encrypted: false }, "eu-central-1", "eu-central-1", key).action, "copy");
    const defaultKey = { ...manual, kmsKeyId: "arn:aws:kms:eu-central-1:111111111111:key/aws-rds-default" };
    assert.equal(transitDecision(defaultKey, "eu-central-1", "eu-central-1", key).action, "copy");
    assert.equal(transitDecision(manual, "eu-west-1", "eu-central-1", key).action, "copy");
  });

  it("refuses up front an unencrypted cluster unless configured, and unshareable or unmapped option groups", () => {
    const config = { replicateUnencryptedClusters: false, optionGroups: {} };
    const routes = [{ region: "eu-central-1", accounts: ["222222222222"] }];
    const plain = { id: "orders", kind: "cluster" as const, encrypted: false };
    const refused = refusalOf(plain, routes, "eu-west-1", config);
    assert.equal(refused?.error, "UnencryptedCluster");
    assert.match(
      refused?.reason ?? "",
      /Aurora cluster orders is not encrypted.*RestoreDBClusterFromSnapshot.*replicateUnencryptedClusters/,
    );
    assert.equal(refusalOf(plain, routes, "eu-west-1", { ...config, replicateUnencryptedClusters: true }), undefined);
    assert.equal(refusalOf({ ...plain, encrypted: true }, routes, "eu-west-1", config), undefined);
    assert.equal(refusalOf({ ...plain, kind: "instance" }, routes, "eu-west-1", config), undefined, "copies encrypt");

    const custom = { id: "ledger", kind: "instance" as const, encrypted: true, optionGroup: "ledger-og", options: [] };
    assert.equal(refusalOf(custom, routes, "eu-west-1", config)?.error, "OptionGroupNotMapped");
    assert.match(refusalOf(custom, routes, "eu-west-1", config)?.reason ?? "", /eu-central-1\/ledger-og=/);
    const mapped = { ...config, optionGroups: { "eu-central-1": { "ledger-og": "ledger-og-dr" } } };
    assert.equal(refusalOf(custom, routes, "eu-west-1", mapped), undefined);
    assert.equal(refusalOf(custom, routes, "eu-central-1", config), undefined, "same region: the group stays");
    assert.equal(refusalOf({ ...custom, optionGroup: "default:postgres-16" }, routes, "eu-west-1", config), undefined);
    const option = (name: string, persistent = false, permanent = false) => ({ name, persistent, permanent });
    const tde = { ...custom, options: [option("TDE", true, true)] };
    assert.equal(refusalOf(tde, routes, "eu-west-1", mapped)?.error, "OptionGroupNotShareable");
    assert.match(refusalOf(tde, routes, "eu-west-1", mapped)?.reason ?? "", /TDE \(TDE\)/);
    const persistent = { ...custom, options: [option("APEX", true)] };
    assert.equal(refusalOf(persistent, routes, "eu-west-1", mapped)?.error, "OptionGroupNotShareable");
    const timezone = { ...custom, options: [option("Timezone", true, true), option("S3_INTEGRATION")] };
    assert.equal(refusalOf(timezone, routes, "eu-west-1", mapped), undefined, "Timezone may be shared");
  });

  it("copies an unencrypted cluster without a key, and names the option group only across regions", () => {
    assert.ok(copiedUnencrypted({ kind: "cluster", encrypted: false }));
    assert.ok(!copiedUnencrypted({ kind: "instance", encrypted: false }));
    assert.ok(!copiedUnencrypted({ kind: "cluster", encrypted: true }));
    const og = { kind: "instance" as const, optionGroup: "ledger-og" };
    assert.ok(needsOptionGroup(og, "eu-west-1", "eu-central-1"));
    assert.ok(!needsOptionGroup(og, "eu-west-1", "eu-west-1"));
    assert.ok(!needsOptionGroup({ ...og, optionGroup: "default:mysql-8-0" }, "eu-west-1", "eu-central-1"));
    assert.ok(!needsOptionGroup({ ...og, kind: "cluster" }, "eu-west-1", "eu-central-1"));
  });

  it("selects by identifier or by every tag, and groups destinations by region", () => {
    const selection = { identifiers: ["a"], tags: { env: "prod", replicate: "yes" } };
    assert.ok(isSelected({ id: "a", kind: "instance", tags: {} }, selection));
    assert.ok(isSelected({ id: "b", kind: "instance", tags: { env: "prod", replicate: "yes" } }, selection));
    assert.ok(!isSelected({ id: "b", kind: "instance", tags: { env: "prod" } }, selection));
    assert.ok(!isSelected({ id: "b", kind: "instance", tags: {} }, { identifiers: [], tags: {} }));
    const routes = routesFor("a", [
      { account: "1", region: "x", databases: [] },
      { account: "2", region: "x", databases: ["a"] },
      { account: "3", region: "y", databases: ["other"] },
    ]);
    assert.deepEqual(routes, [{ region: "x", accounts: ["1", "2"] }]);
  });
});

describe("engine: names and tags", () => {
  const arn = "arn:aws:rds:eu-central-1:111111111111:snapshot:rr-rds-orders-2024-01-02-03-04-abcd1234";
  it("are deterministic and valid RDS / Step Functions names", () => {
    assert.equal(scheduledSnapshotId("orders", new Date("2024-01-02T03:04:05Z")), "orders-20240102-030405");
    assert.equal(destinationCopyId(arn), destinationCopyId(arn));
    assert.notEqual(destinationCopyId(arn), destinationCopyId(arn.replace("111111111111", "333333333333")));
    assert.match(destinationCopyId(arn), /^[a-z][a-z0-9-]*[a-z0-9]$/);
    assert.doesNotMatch(transitSnapshotId("arn:aws:rds:r:1:snapshot:rds:orders-2024", "x"), /--|:/);
    const name = executionName(`${arn}${"x".repeat(200)}`);
    assert.ok(name.length <= 80 && /^[A-Za-z0-9_-]+$/.test(name));
  });

  it("renames aws: tag keys and lets the tool's tags win within 50", () => {
    assert.deepEqual(carryTags({ "aws:cloudformation:stack-name": "s", team: "t" }), {
      "source-aws:cloudformation:stack-name": "s",
      team: "t",
    });
    const many = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i}`, "v"]));
    const merged = mergeTags({ ...many, "managed-by": "someone" }, { "managed-by": "rds-replication" });
    assert.equal(Object.keys(merged).length, 50);
    assert.equal(merged["managed-by"], "rds-replication");
  });

  it("adds this account's copyTags over the carried tags and under the tool's own, cutting carried ones first", () => {
    const carried = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i}`, "carried"]));
    const own = provenanceTags("copy", {
      sourceSnapshotArn: "arn:aws:rds:eu-west-1:111111111111:snapshot:s",
      sourceAccount: "111111111111",
      sourceRegion: "eu-west-1",
      sourceDatabase: "orders",
      sourceCreated: "2026-11-30T00:00:00Z",
    });
    const ownAndMarker = { ...own, ...UNENCRYPTED_TAGS };
    // The config's bound on copyTags leaves room for every tag the tool writes itself.
    assert.equal(Object.keys(ownAndMarker).length, OWN_TAG_COUNT);
    // Exactly the room the tool leaves: 41 new keys and one that overrides a carried tag.
    const added = {
      ...Object.fromEntries(Array.from({ length: MAX_TAGS - OWN_TAG_COUNT - 1 }, (_, i) => [`a${i}`, "added"])),
      k0: "added",
      "managed-by": "me",
    };
    const merged = mergeTags(carried, ownAndMarker, added);
    assert.equal(Object.keys(merged).length, MAX_TAGS);
    assert.equal(merged["managed-by"], "rds-replication");
    assert.equal(merged.k0, "added");
    assert.equal(merged[`a${MAX_TAGS - OWN_TAG_COUNT - 2}`], "added");
    assert.ok(
      Object.values(merged).every((v) => v !== "carried"),
      "carried tags are cut first",
    );
    const few = mergeTags({ team: "billing", owner: "dba" }, own, { team: "dr" });
    assert.deepEqual(
      { team: few.team, owner: few.owner, size: Object.keys(few).length },
      { team: "dr", owner: "dba", size: Object.keys(own).length + 2 },
    );
  });
});

const consumerConfig = sampleConsumerConfig();
const announcement = sampleAnnouncement({
  snapshotCreateTime: "2024-01-02T03:04:05.000Z",
  tags: { Draco_Lifecycle: "Test" },
});

describe("engine: announcement validation and retention policy", () => {
  it("accepts a genuine announcement and rejects each forged field with its reason", () => {
    const ok = validateAnnouncement(JSON.stringify(announcement), consumerConfig, consumerConfig.sources[0]?.topicArn);
    assert.ok(ok.ok);
    const reject = (change: object, topic?: string) => {
      const v = validateAnnouncement({ ...announcement, ...change }, consumerConfig, topic);
      assert.ok(!v.ok);
      return v.reason;
    };
    assert.match(reject({ version: 2 }), /version 2/);
    assert.match(reject({ kind: "cluster" }), /does not match kind/);
    assert.match(reject({ destinationRegion: "eu-west-1" }), /cannot be copied here/);
    assert.match(reject({}, "arn:aws:sns:eu-west-1:111111111111:other"), /not the configured topic/);
    assert.match(reject({ snapshotCreateTime: "yesterday" }), /snapshotCreateTime/);
    assert.match(validateAnnouncement("{not json", consumerConfig).ok ? "" : "not JSON", /not JSON/);
    // The source may be automated (`rds:` ids); the shared snapshot cannot be.
    const automated = "arn:aws:rds:eu-west-1:111111111111:snapshot:rds:orders-2024-01-02-03-04";
    assert.ok(validateAnnouncement({ ...announcement, sourceSnapshotArn: automated }, consumerConfig).ok);
    assert.match(reject({ snapshotArn: automated.replace("eu-west-1", "eu-central-1") }), /snapshotArn: must be/);
  });

  it("a lifecycle tag only lengthens the stack default, the floor is always added, unknown values keep all", () => {
    const a = validateAnnouncement(announcement, consumerConfig);
    assert.ok(a.ok);
    const floor = { keepLast: 2, maxAgeDays: 1 };
    const choose = (tags: Record<string, string>) =>
      retentionPolicyFor({ ...a.announcement, tags }, consumerConfig.retention);
    // Test (maxAgeDays 5) joins the stack default (keepLast 3) instead of replacing it.
    assert.deepEqual(choose({ Draco_Lifecycle: "Test" }), {
      policy: { keepLast: 3, maxAgeDays: 5 },
      source: "Draco_Lifecycle=Test",
    });
    assert.deepEqual(choose({ Draco_Lifecycle: "tEsT" }).policy, { keepLast: 3, maxAgeDays: 5 });
    assert.deepEqual(choose({ Draco_Lifecycle: "Standard" }).policy, {
      ...RETENTION_PRESETS.Standard,
      ...floor,
      keepLast: 3,
    });
    assert.deepEqual(choose({}), { policy: { keepLast: 3, maxAgeDays: 1 }, source: "stack default" });
    assert.deepEqual(choose({ Draco_Lifecycle: "Gold" }), {
      policy: {},
      source: "unknown Draco_Lifecycle=Gold, everything kept",
    });
    // The carried database tags win over the snapshot's tags, as before.
    const fromDatabase = { ...a.announcement, databaseTags: { Draco_Lifecycle: "gold" } };
    assert.deepEqual(retentionPolicyFor(fromDatabase, consumerConfig.retention).policy, {});
  });
});

describe("engine: restore decisions and notifications", () => {
  it("restores per UTC day: counted on the target's secret, reset on a new day", () => {
    const now = new Date("2026-11-30T06:00:00Z");
    assert.deepEqual(restoreAllowance(undefined, now, 2), { allowed: true, next: "2026-11-30/1", count: 0 });
    assert.deepEqual(restoreAllowance("2026-11-30/1", now, 2), { allowed: true, next: "2026-11-30/2", count: 1 });
    assert.equal(restoreAllowance("2026-11-30/2", now, 2).allowed, false);
    assert.deepEqual(restoreAllowance("2026-11-29/9", now, 2), { allowed: true, next: "2026-11-30/1", count: 0 });
    assert.equal(restoreAllowance("garbage", now, 1).allowed, true);
  });

  it("the secret moves only to strictly newer source data", () => {
    const at = (time: string) => ({ tags: { "rds-replication:source-created": time } });
    assert.equal(switchAllowed(undefined, "2024-01-01T00:00:00Z"), true);
    assert.equal(switchAllowed(at("2024-01-01T00:00:00Z"), "2024-01-02T00:00:00Z"), true);
    assert.equal(switchAllowed(at("2024-01-02T00:00:00Z"), "2024-01-02T00:00:00Z"), false);
    assert.equal(switchAllowed(at("2024-01-02T00:00:00Z"), "2024-01-01T00:00:00Z"), false);
    // A database without the provenance tag (not one the tool restored) never blocks a switch.
    assert.equal(switchAllowed({ tags: {} }, "2020-01-01T00:00:00Z"), true);
  });

  it("a restored database is the tool's for a target only by prefix AND provenance tags", () => {
    const target = { instancePrefix: "orders-dev", database: "orders" };
    const tags = {
      "managed-by": "rds-replication",
      "rds-replication:role": "restored",
      "rds-replication:source-database": "orders",
    };
    assert.equal(restoredFor({ id: "orders-dev-20240101-000000", tags }, target), true);
    assert.equal(restoredFor({ id: "orders-development-main", tags }, target), false, "prefix- only");
    assert.equal(restoredFor({ id: "orders-dev-by-hand", tags: {} }, target), false, "prefix alone");
    assert.equal(restoredFor({ id: "billing-dev-1", tags }, target), false, "tags alone");
    assert.equal(
      restoredFor({ id: "orders-dev-1", tags: { ...tags, "rds-replication:source-database": "billing" } }, target),
      false,
      "another database's restore",
    );
  });

  it("deletes restored databases beyond the newest N by source data, never the current one nor the last restored", () => {
    const made = (id: string, createdAt: string, source: string) => ({
      id,
      createdAt,
      tags: { "rds-replication:source-created": source },
    });
    const dbs = [
      made("d-1", "2024-01-01", "2023-12-31T02:00:00Z"),
      made("d-3", "2024-01-03", "2024-01-02T02:00:00Z"),
      made("d-2", "2024-01-02", "2024-01-01T02:00:00Z"),
    ];
    assert.deepEqual(
      restoredToDelete(dbs, 1, ["d-3"]).map((d) => d.id),
      ["d-1", "d-2"],
    );
    assert.deepEqual(
      restoredToDelete(dbs, 1, ["d-1"]).map((d) => d.id),
      ["d-2"],
    );
    // A late run restored older data last: kept by source time, the newer one stays and so does the late one.
    const late = [...dbs, made("d-0", "2024-01-04", "2023-12-30T02:00:00Z")];
    assert.deepEqual(
      restoredToDelete(late, 1, ["d-3"]).map((d) => d.id),
      ["d-1", "d-2"],
    );
    assert.deepEqual(switchedSecret({ password: "p", host: "old" }, { host: "h", port: 1, kind: "cluster", id: "c" }), {
      password: "p",
      host: "h",
      port: 1,
      dbClusterIdentifier: "c",
    });
  });

  it("reports what, where, how long, and every failure", () => {
    const n = buildNotification(
      {
        side: "producer",
        outcome: "succeeded",
        startedAt: "2024-01-01T00:00:00Z",
        state: {
          database: "a",
          kind: "instance",
          source: { arn: "arn-a" },
          transits: [
            { region: "r", accounts: ["2"] },
            { region: "q", error: { Error: "KmsKeyNotAccessible", Cause: '{"errorMessage":"key k"}' } },
          ],
        },
      },
      new Date("2024-01-01T00:01:30Z"),
    );
    assert.equal(n.outcome, "partially failed");
    assert.equal(n.durationSeconds, 90);
    assert.deepEqual(n.where, ["2/r via ?"]);
    assert.deepEqual(n.failures, [{ item: "instance a: arn-a -> q", error: "KmsKeyNotAccessible", cause: "key k" }]);
  });

  it("reports deletions: what was deleted, or in a dry run what would be", () => {
    const n = buildNotification(
      {
        side: "consumer",
        outcome: "succeeded",
        state: {
          announcement: { destinationAccount: "2", destinationRegion: "r" },
          cleanup: { toDelete: ["db-old"], deleted: [], dryRun: true },
          retention: { policy: "Draco_Lifecycle=Test", delete: ["s-1", "s-2"], deleted: ["s-1", "s-2"], dryRun: false },
        },
      },
      new Date(),
    );
    assert.deepEqual(n.deletions, [
      { scope: "restored databases in 2/r", dryRun: true, ids: ["db-old"] },
      { scope: "retention (Draco_Lifecycle=Test) in 2/r", dryRun: false, ids: ["s-1", "s-2"] },
    ]);
    assert.match(n.summary, /restored databases in 2\/r: dry run, would delete db-old/);
    assert.match(n.summary, /retention \(Draco_Lifecycle=Test\) in 2\/r: deleted s-1, s-2/);
    const producer = buildNotification(
      {
        side: "producer",
        outcome: "succeeded",
        state: { database: "a", pruned: [{ region: "r", delete: [], deleted: [], dryRun: false }] },
      },
      new Date(),
    );
    assert.deepEqual(producer.deletions, [], "nothing to delete is not reported");
  });

  it("names the config field that is wrong", () => {
    assert.throws(
      () => parseConfig(producerConfigSchema(), "/p", JSON.stringify({ version: 1, account: "12" })),
      (e: Error) =>
        e.name === "ConfigInvalid" && /parameter \/p is invalid: .*account: must be a 12-digit/.test(e.message),
    );
  });
});

describe("engine: state machine definitions", () => {
  const arns = Object.fromEntries(STEPS.map((s) => [s.key, `arn:aws:lambda:eu-west-1:111111111111:function:${s.key}`]));
  const tasks = (states: Record<string, Record<string, unknown>>): Record<string, unknown>[] =>
    Object.values(states).flatMap((s) => [
      ...(s.Type === "Task" ? [s] : []),
      ...(s.ItemProcessor
        ? tasks((s.ItemProcessor as { States: Record<string, Record<string, unknown>> }).States)
        : []),
    ]);
  for (const [name, definition] of [
    ["producer dispatch", producerDispatchDefinition(arns)],
    ["producer database", producerDatabaseDefinition(arns)],
    ["consumer", consumerDefinition(arns)],
  ] as const) {
    it(`${name}: valid ASL; every Task has Retry on the retryable classes, Catch and TimeoutSeconds`, () => {
      const { isValid, errors } = validator(definition);
      assert.ok(isValid, JSON.stringify(errors));
      const all = tasks((definition as { States: Record<string, Record<string, unknown>> }).States);
      assert.ok(all.length >= (name === "producer dispatch" ? 2 : 5));
      for (const t of all) {
        const retried = (t.Retry as { ErrorEquals: string[] }[]).flatMap((r) => r.ErrorEquals);
        for (const errorName of Object.keys(RETRY_POLICIES)) assert.ok(retried.includes(errorName));
        assert.ok(!retried.includes("States.ALL"), "fatal errors are not retried");
        // A throttled step waits its turn (poll watches hold their Lambda for minutes) for tens of minutes.
        const throttled = (t.Retry as { ErrorEquals: string[]; MaxAttempts: number; MaxDelaySeconds?: number }[]).find(
          (r) => r.ErrorEquals.includes("Lambda.TooManyRequestsException"),
        );
        assert.ok(
          throttled && throttled.MaxAttempts * (throttled.MaxDelaySeconds ?? 0) >= 1800,
          JSON.stringify(t.Retry),
        );
        const catches = (t.Catch as { ErrorEquals: string[]; Next: string }[]).map((c) => c.ErrorEquals);
        if (t.Resource === WAIT_FOR_TASK_TOKEN) {
          // Awaiting a copy's event: a timeout is the fallback check's turn (caught, never retried), the rest fails.
          assert.deepEqual(catches, [["States.Timeout"], ["States.ALL"]]);
          assert.ok(!retried.includes("States.Timeout"));
          assert.match(String(t.TimeoutSecondsPath), /\.poll\.awaitSeconds$/);
          assert.equal(t.TimeoutSeconds, undefined);
          continue;
        }
        assert.deepEqual(catches[0], ["States.ALL"]);
        assert.ok(typeof t.TimeoutSeconds === "number" && t.TimeoutSeconds > 0);
      }
    });
  }

  it("times out each Task after its own Lambda's timeout plus a margin, unless told otherwise", () => {
    const timeouts = (definition: object) =>
      tasks((definition as { States: Record<string, Record<string, unknown>> }).States)
        .filter((t) => t.Resource !== WAIT_FOR_TASK_TOKEN)
        .map((t) => {
          const key = String(t.Resource).split(":function:")[1] ?? "";
          return [key, t.TimeoutSeconds] as const;
        });
    const all = [
      ...timeouts(producerDispatchDefinition(arns)),
      ...timeouts(producerDatabaseDefinition(arns)),
      ...timeouts(consumerDefinition(arns)),
    ];
    for (const [key, seconds] of all) {
      assert.equal(seconds, stepByKey(key).timeoutSeconds + TASK_TIMEOUT_MARGIN_SECONDS, key);
    }
    // The Lambdas differ (30 s notify, 300 s switch), so one default for all would be wrong for most of them.
    assert.ok(new Set(all.map(([, seconds]) => seconds)).size >= 3);
    // A poll sleeps through its near-end watch: its Task must outlast the whole watch budget.
    const pollTasks = all.filter(([key]) => key.endsWith("-poll"));
    assert.equal(pollTasks.length, 4);
    for (const [key, seconds] of pollTasks)
      assert.ok(Number(seconds) > DEFAULT_POLL_BOUNDS.inlineBudgetSeconds + 60, key);
    const overridden = timeouts(consumerDefinition(arns, { timeoutSeconds: { "consumer-copy": 500 } }));
    assert.deepEqual(
      overridden.filter(([key]) => key === "consumer-copy"),
      [["consumer-copy", 500]],
    );
  });

  it("fails loudly when a step has no Lambda ARN", () => {
    assert.throws(() => consumerDefinition({}), /no Lambda ARN for step consumer-copy/);
  });
});
