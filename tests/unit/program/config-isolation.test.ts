// The dest stack's flood guard settings: the allowlist per source, the daily copy budget and the quota the
// 80 % alarm watches, with their defaults and every problem named at once.
import * as assert from "node:assert/strict";
import { allowedDatabasesOf, ConfigError, type DestStackConfig, parseStackConfig } from "../../../stack/config";
import { DEST_ACCOUNT } from "../../../testkit";

const HERE = { account: DEST_ACCOUNT, region: "eu-central-1" };
const minimal = { role: "dest", sources: ["acme/rds-replication/source", "acme/rds-replication/other"] };

describe("program config: the dest stack's flood guard", () => {
  it("defaults: every database of every source, 4 copies per database per day, a quota of 100", () => {
    const config = parseStackConfig(minimal, HERE) as DestStackConfig;
    assert.deepEqual(allowedDatabasesOf(config), {});
    assert.equal(config.copiesPerDatabasePerDay, 4);
    assert.equal(config.manualSnapshotQuota, 100);
  });

  it("an allowlist per source stack", () => {
    const config = parseStackConfig(
      {
        ...minimal,
        allowedDatabases: ["acme/rds-replication/source=orders-db, payroll-db"],
        copiesPerDatabasePerDay: 8,
      },
      HERE,
    ) as DestStackConfig;
    assert.deepEqual(allowedDatabasesOf(config), { "acme/rds-replication/source": ["orders-db", "payroll-db"] });
    assert.equal(config.copiesPerDatabasePerDay, 8);
  });

  it("names every problem: format, identifiers, unknown or repeated sources, budget and quota below 1", () => {
    let caught: unknown;
    try {
      parseStackConfig(
        {
          ...minimal,
          allowedDatabases: [
            "orders-db",
            "acme/rds-replication/source=2fast",
            "acme/rds-replication/stranger=orders-db",
            "acme/rds-replication/other=orders-db",
            "acme/rds-replication/other=payroll-db",
          ],
          copiesPerDatabasePerDay: 0,
          manualSnapshotQuota: -5,
        },
        HERE,
      );
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof ConfigError, String(caught));
    assert.deepEqual(caught.problems, [
      'rds-replication:allowedDatabases[0] = "orders-db": format: expected org/project/stack=db1,db2',
      'rds-replication:allowedDatabases[1] = "acme/rds-replication/source=2fast": database: expected an RDS identifier: a letter, then letters, digits or single hyphens',
      "rds-replication:copiesPerDatabasePerDay = 0: expected a whole number >= 1",
      "rds-replication:manualSnapshotQuota = -5: expected a whole number >= 1",
    ]);
  });

  it("an allowlist naming a stack that is not a source, or a source twice", () => {
    let caught: unknown;
    try {
      parseStackConfig(
        {
          ...minimal,
          allowedDatabases: [
            "acme/rds-replication/stranger=orders-db",
            "acme/rds-replication/other=orders-db",
            "acme/rds-replication/other=payroll-db",
          ],
        },
        HERE,
      );
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof ConfigError, String(caught));
    assert.deepEqual(caught.problems, [
      'rds-replication:allowedDatabases[0] = "acme/rds-replication/stranger=orders-db": expected one of the sources (acme/rds-replication/source, acme/rds-replication/other)',
      'rds-replication:allowedDatabases[2] = "acme/rds-replication/other=payroll-db": expected acme/rds-replication/other only once',
    ]);
  });
});
