import * as assert from "node:assert/strict";
import { targetKind } from "../../../components/consumer";
import { instanceClassProblem, targetConflicts, unknownTargetDatabases } from "../../../components/refreshTargets";
import type { SourceDatabases } from "../../../components/sourceOutputs";

const HERE = { account: "222222222222", region: "eu-central-1" };

describe("refresh targets (pure checks)", () => {
  it("instance classes: the shape for instances, Aurora's documented families for clusters", () => {
    for (const ok of ["db.t4g.medium", "db.m7g.large", "db.r6g.2xlarge", "db.x2iedn.xlarge"])
      assert.equal(instanceClassProblem(ok, "instance"), undefined, ok);
    for (const ok of [
      "db.serverless",
      "db.r6g.large",
      "db.r7i.4xlarge",
      "db.x2g.large",
      "db.t4g.medium",
      "db.t3.large",
    ])
      assert.equal(instanceClassProblem(ok, "cluster"), undefined, ok);
    for (const bad of ["db.m5.large", "db.t4g.micro", "db.t3.small", "db.serverless-v2"])
      assert.match(
        instanceClassProblem(bad, "cluster") ?? "",
        /expected an Aurora DB instance class|RDS instance class/,
        bad,
      );
    for (const bad of ["t4g.medium", "db.t4g", "db.serverless", "DB.T4G.MEDIUM"])
      assert.match(instanceClassProblem(bad, "instance") ?? "", /expected an RDS instance class/, bad);
  });

  it("a prefix that starts with another target's prefix and a hyphen is refused (its restores would look like the other's)", () => {
    const problems = targetConflicts([
      { database: "orders", secretName: "a", instancePrefix: "orders" },
      { database: "orders-eu", secretName: "b", instancePrefix: "orders-eu" },
      { database: "billing", secretName: "c", instancePrefix: "ordersx" },
    ]);
    assert.deepEqual(
      problems.map((p) => [p.index, p.field]),
      [[1, "instancePrefix"]],
    );
  });

  it("targets against what the sources send here: listed per destination, by kind, or anything when selected by tags", () => {
    const databases = (over: Partial<SourceDatabases> = {}): SourceDatabases => ({
      instances: ["orders", "audit"],
      clusters: ["billing"],
      byTags: false,
      perDestination: [{ ...HERE, databases: ["orders", "billing"] }],
      ...over,
    });
    const check = (targets: { database: string; kind: string }[], source: SourceDatabases) =>
      unknownTargetDatabases(targets, { "o/p/source": source }, HERE).map((p) => `${p.index}.${p.field}`);
    assert.deepEqual(
      check(
        [
          { database: "orders", kind: "instance" },
          { database: "billing", kind: "cluster" },
        ],
        databases(),
      ),
      [],
    );
    // audit is replicated, but not to this account and region.
    assert.deepEqual(check([{ database: "audit", kind: "instance" }], databases()), ["0.database"]);
    assert.deepEqual(check([{ database: "billing", kind: "instance" }], databases()), ["0.kind"]);
    // Every selected database comes here: audit too.
    assert.deepEqual(check([{ database: "audit", kind: "instance" }], databases({ perDestination: [] })), []);
    // Selected by tags: a name the source does not list may still come (its kind known at run time only).
    assert.deepEqual(
      check([{ database: "ledger", kind: "cluster" }], databases({ byTags: true, perDestination: [] })),
      [],
    );
    assert.deepEqual(check([{ database: "ledger", kind: "cluster" }], databases({ byTags: true })), ["0.database"]);
  });

  it("the component refuses a kind other than instance or cluster (the args type it as a string)", () => {
    assert.equal(targetKind({ database: "orders", kind: "cluster" }), "cluster");
    assert.throws(
      () => targetKind({ database: "orders", kind: "Instance" }),
      /orders: kind must be instance or cluster/,
    );
  });
});
