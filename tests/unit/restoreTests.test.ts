// Restore tests (issue 12): the pure choices (which copy, the test database's name and identity, the checks
// made without credentials) and the stack config's restoreTests, every problem listed at once.
import * as assert from "node:assert/strict";
import {
  isRestoreTestOf,
  newestCopyOf,
  restoreTestId,
  restoreTestProblems,
  selectOneProblem,
} from "../../functions/decisions/restoreTestChecks";
import { ConfigError, parseStackConfig } from "../../stack/config";
import { DEST_ACCOUNT, stackFileConfig } from "../../testkit";

const KEY = "arn:aws:kms:eu-central-1:222222222222:key/11111111-2222-3333-4444-555555555555";
const expected = { engine: "postgres", engineVersion: "16.3", allocatedGiB: 20, keyArn: KEY };
const good = {
  status: "available",
  engine: "postgres",
  engineVersion: "16.3",
  allocatedGiB: 20,
  encrypted: true,
  kmsKeyId: KEY,
  endpoint: "rt-x.example",
};
const own = { "managed-by": "rds-replication", "rds-replication:source-database": "orders" };

describe("restore tests: decisions", () => {
  it("names a test database rt-<hash>-<start>, the same for the same database and start", () => {
    const id = restoreTestId("orders", "2026-11-30T06:00:01.123Z");
    assert.match(id, /^rt-[0-9a-f]{8}-20261130-060001$/);
    assert.equal(restoreTestId("orders", "2026-11-30T06:00:01.123Z"), id);
    assert.notEqual(restoreTestId("billing", "2026-11-30T06:00:01.123Z"), id);
  });

  it("a test database is one by name AND tags: a refreshed database or an rt- name alone is not", () => {
    const tags = { ...own, "rds-replication:role": "restore-test" };
    assert.equal(isRestoreTestOf({ id: "rt-1-2", tags }, "orders"), true);
    assert.equal(isRestoreTestOf({ id: "orders-dev-2", tags }, "orders"), false);
    assert.equal(
      isRestoreTestOf({ id: "rt-1-2", tags: { ...tags, "rds-replication:role": "restored" } }, "orders"),
      false,
    );
    assert.equal(isRestoreTestOf({ id: "rt-1-2", tags }, "billing"), false);
  });

  it("restores the newest available copy the tool made of the database", () => {
    const copy = (id: string, created: string, extra: Record<string, string> = {}, status = "available") => ({
      id,
      status,
      tags: { ...own, "rds-replication:role": "copy", "rds-replication:source-created": created, ...extra },
    });
    const snapshots = [
      copy("old", "2026-11-01T00:00:00Z"),
      copy("newest-copying", "2026-11-30T00:00:00Z", {}, "copying"),
      copy("newer", "2026-11-20T00:00:00Z"),
      copy("other-db", "2026-11-29T00:00:00Z", { "rds-replication:source-database": "billing" }),
      copy("by-hand", "2026-11-28T00:00:00Z", { "managed-by": "someone" }),
    ];
    assert.equal(newestCopyOf(snapshots, "orders")?.id, "newer");
    assert.equal(newestCopyOf(snapshots, "payroll"), undefined);
  });

  it("passes a database that shows what the snapshot promises under this account's key", () => {
    assert.deepEqual(restoreTestProblems("instance", expected, good), []);
    // RDS may report the key by id: the ARN's last segment.
    assert.deepEqual(
      restoreTestProblems("instance", expected, { ...good, kmsKeyId: "11111111-2222-3333-4444-555555555555" }),
      [],
    );
  });

  it("lists every failed check: status, engine, version, storage, encryption key, endpoint", () => {
    const problems = restoreTestProblems("instance", expected, {
      status: "incompatible-restore",
      engine: "mysql",
      engineVersion: "8.0",
      allocatedGiB: 10,
      encrypted: true,
      kmsKeyId: "arn:aws:kms:eu-central-1:222222222222:key/other",
    });
    assert.equal(problems.length, 6, problems.join("\n"));
    assert.match(problems[4] ?? "", /not this account's key/);
    assert.deepEqual(restoreTestProblems("instance", expected, { ...good, encrypted: false }), [
      "storage is not encrypted",
    ]);
    // Aurora's allocated storage is not the data's size: not compared.
    assert.deepEqual(restoreTestProblems("cluster", expected, { ...good, allocatedGiB: 1 }), []);
  });

  it("SELECT 1 through the Data API passes only with one row holding 1", () => {
    assert.equal(selectOneProblem([[{ longValue: 1 }]]), undefined);
    assert.equal(selectOneProblem([[{ stringValue: "1" }]]), undefined);
    for (const records of [
      [],
      [[]],
      [[{ longValue: 0 }]],
      [[{ longValue: 1 }], [{ longValue: 1 }]],
      [[{ longValue: 1 }, { longValue: 2 }]],
    ])
      assert.match(selectOneProblem(records) ?? "", /SELECT 1 through the Data API returned .*expected one row with 1/);
  });
});

describe("restore tests: stack config", () => {
  const here = { account: DEST_ACCOUNT, region: "eu-central-1" };
  const dest = () => ({ ...stackFileConfig("dest") }) as Record<string, unknown>;
  const problemsOf = (raw: Record<string, unknown>) => {
    try {
      parseStackConfig(
        Object.fromEntries(
          Object.entries(raw)
            .filter(([k]) => k.startsWith("rds-replication:"))
            .map(([k, v]) => [k.replace(/^rds-replication:/, ""), v]),
        ),
        here,
      );
    } catch (error) {
      assert.ok(error instanceof ConfigError, String(error));
      return [...error.problems];
    }
    return [];
  };

  it("Pulumi.dest.yaml's restore test is valid", () => {
    assert.deepEqual(problemsOf(dest()), []);
  });

  it("every problem at once: a bad schedule, a database tested twice, a refresh prefix rt, a bad class", () => {
    const test = { database: "orders-db", kind: "instance", instanceClass: "db.t4g.medium" };
    const targets = dest()["rds-replication:refreshTargets"] as Record<string, unknown>[];
    const problems = problemsOf({
      ...dest(),
      "rds-replication:restoreTests": [
        { ...test, schedule: "every sunday" },
        test,
        { database: "billing-aurora", kind: "cluster", instanceClass: "db.t3.micro" },
      ],
      "rds-replication:refreshTargets": [{ ...targets[0], instancePrefix: "rt" }, targets[1]],
    });
    assert.equal(problems.length, 4, problems.join("\n"));
    assert.ok(problems.some((p) => /restoreTests\[0\]\.schedule/.test(p)));
    assert.ok(problems.some((p) => /restoreTests\[1\]\.database.*tested twice/.test(p)));
    assert.ok(problems.some((p) => /restoreTests\[2\]\.instanceClass/.test(p)));
    assert.ok(problems.some((p) => /refreshTargets\[0\]\.instancePrefix.*other than rt/.test(p)));
  });

  it("dataApiSelect: a boolean, for clusters only", () => {
    const problems = problemsOf({
      ...dest(),
      "rds-replication:restoreTests": [
        { database: "orders-db", kind: "instance", instanceClass: "db.t4g.medium", dataApiSelect: true },
        { database: "billing-aurora", kind: "cluster", instanceClass: "db.r6g.large", dataApiSelect: "yes" },
      ],
    });
    assert.equal(problems.length, 2, problems.join("\n"));
    assert.ok(problems.some((p) => /restoreTests\[0\]\.dataApiSelect.*only with kind cluster/.test(p)));
    assert.ok(problems.some((p) => /restoreTests\[1\]\.dataApiSelect.*true or false/.test(p)));
  });
});
