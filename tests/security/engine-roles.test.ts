// The step roles the dest stack really declares (recorded under mocks), evaluated with the IAM simulator on
// the requests the design forbids, each next to the legitimate request of the same step that must pass.
import * as assert from "node:assert/strict";
import type { StackEvaluation } from "../../testkit";
import { type PolicyDocument, type SimulationRequest, simulate } from "../support/iamSimulator";
import { exampleStacks } from "./emitted";

const DEST = { account: "222222222222", region: "eu-central-1" };
const rds = (kind: string, name: string) => `arn:aws:rds:${DEST.region}:${DEST.account}:${kind}:${name}`;
const MANAGED = { "aws:ResourceTag/managed-by": "rds-replication" };
// What the restore step tags each database it creates with.
const RESTORED = { ...MANAGED, "aws:ResourceTag/rds-replication:role": "restored" };
const RESTORED_NAME = "orders-dev-20240101-000000";

function rolePolicy(stack: StackEvaluation, step: string): PolicyDocument {
  return JSON.parse(String(stack.named(`${step}-policy`).inputs.policy)) as PolicyDocument;
}

interface Case {
  what: string;
  step: string;
  request: Omit<SimulationRequest, "principal" | "identityPolicies">;
}

const role = (step: string) => `arn:aws:iam::${DEST.account}:role/${step}-role`;

const MUST_BE_DENIED: Case[] = [
  {
    what: "retention deleting a snapshot not tagged as ours",
    step: "consumer-retention",
    request: {
      action: "rds:DeleteDBSnapshot",
      resource: rds("snapshot", "hand-made-backup"),
      context: { "aws:ResourceTag/managed-by": "someone-else" },
    },
  },
  {
    what: "retention deleting an untagged snapshot",
    step: "consumer-retention",
    request: { action: "rds:DeleteDBSnapshot", resource: rds("snapshot", "hand-made-backup") },
  },
  {
    what: "cleanup deleting a DB instance not tagged as restored by us",
    step: "consumer-cleanup",
    request: { action: "rds:DeleteDBInstance", resource: rds("db", RESTORED_NAME) },
  },
  {
    what: "cleanup deleting a DB instance outside the restore prefix, even tagged",
    step: "consumer-cleanup",
    request: { action: "rds:DeleteDBInstance", resource: rds("db", "orders-prod"), context: MANAGED },
  },
  {
    what: "cleanup deleting a superseded instance that was tagged ours but not restored by the tool",
    step: "consumer-cleanup",
    request: {
      action: "rds:DeleteDBInstance",
      resource: rds("db", "orders-dev-by-hand"),
      context: { ...MANAGED, "aws:ResourceTag/rds-replication:superseded-at": "2024-01-01T00:00:00Z" },
    },
  },
  // The switch role writes secrets; it cannot change a database at all (issue 11: not make it public, not change
  // its password or security groups), nor delete one.
  // All three are ModifyDBInstance, whose only IAM condition key is rds:ManageMasterUserPassword: the role
  // must not have the action at all.
  {
    what: "switch modifying an instance it restored (public access, master password, security groups)",
    step: "consumer-switch",
    request: { action: "rds:ModifyDBInstance", resource: rds("db", RESTORED_NAME), context: RESTORED },
  },
  {
    what: "switch modifying a cluster it restored",
    step: "consumer-switch",
    request: { action: "rds:ModifyDBCluster", resource: rds("cluster", RESTORED_NAME), context: RESTORED },
  },
  {
    what: "switch deleting an instance it restored (deleting is the cleanup step's)",
    step: "consumer-switch",
    request: { action: "rds:DeleteDBInstance", resource: rds("db", RESTORED_NAME), context: RESTORED },
  },
  {
    what: "unprotect modifying an instance the tool did not restore",
    step: "consumer-unprotect",
    request: { action: "rds:ModifyDBInstance", resource: rds("db", "orders-prod"), context: MANAGED },
  },
  {
    what: "unprotect modifying a restored-looking instance of a longer name (prefix-* only)",
    step: "consumer-unprotect",
    request: { action: "rds:ModifyDBInstance", resource: rds("db", "orders-development-main"), context: RESTORED },
  },
  {
    what: "unprotect moving a restored instance to another subnet group",
    step: "consumer-unprotect",
    request: { action: "rds:ModifyDBInstance", resource: rds("subgrp", "public-subnets"), context: RESTORED },
  },
  {
    what: "unprotect deleting an instance it may unprotect",
    step: "consumer-unprotect",
    request: { action: "rds:DeleteDBInstance", resource: rds("db", RESTORED_NAME), context: RESTORED },
  },
  {
    what: "cleanup lifting deletion protection (the unprotect step's)",
    step: "consumer-cleanup",
    request: { action: "rds:ModifyDBInstance", resource: rds("db", RESTORED_NAME), context: RESTORED },
  },
  {
    what: "switch tagging a foreign instance as ours (to delete it next)",
    step: "consumer-switch",
    request: {
      action: "rds:AddTagsToResource",
      resource: rds("db", "orders-dev-not-ours"),
      context: { "aws:RequestTag/managed-by": "rds-replication", "aws:TagKeys": ["managed-by"] },
    },
  },
  {
    what: "switch adding the superseded tag together with another tag",
    step: "consumer-switch",
    request: {
      action: "rds:AddTagsToResource",
      resource: rds("db", "orders-dev-not-ours"),
      context: {
        "aws:RequestTag/rds-replication:role": "restored",
        "aws:TagKeys": ["rds-replication:superseded-at", "rds-replication:role"],
      },
    },
  },
  {
    what: "restore creating a publicly accessible instance",
    step: "consumer-restore",
    request: {
      action: "rds:RestoreDBInstanceFromDBSnapshot",
      resource: rds("db", RESTORED_NAME),
      context: { "rds:PubliclyAccessible": "true", "aws:RequestTag/managed-by": "rds-replication" },
    },
  },
  {
    what: "restore leaving public accessibility to the subnet's default",
    step: "consumer-restore",
    request: { action: "rds:RestoreDBInstanceFromDBSnapshot", resource: rds("db", RESTORED_NAME) },
  },
  {
    what: "restore creating a publicly accessible cluster instance",
    step: "consumer-restore",
    request: {
      action: "rds:CreateDBInstance",
      resource: rds("db", `${RESTORED_NAME}-1`),
      context: { "rds:PubliclyAccessible": "true" },
    },
  },
  {
    what: "restore deleting anything",
    step: "consumer-restore",
    request: { action: "rds:DeleteDBInstance", resource: rds("db", RESTORED_NAME), context: RESTORED },
  },
  {
    what: "restore changing a parameter group",
    step: "consumer-restore",
    request: { action: "rds:ModifyDBParameterGroup", resource: rds("pg", "default.postgres16") },
  },
  {
    what: "copy role deleting a snapshot",
    step: "consumer-copy",
    request: { action: "rds:DeleteDBSnapshot", resource: rds("snapshot", "x"), context: MANAGED },
  },
  {
    what: "intake starting anything but its state machine",
    step: "consumer-intake",
    request: {
      action: "states:StartExecution",
      resource: `arn:aws:states:${DEST.region}:${DEST.account}:stateMachine:other`,
    },
  },
];

const MUST_BE_ALLOWED: Case[] = [
  {
    what: "retention deleting its own tagged copy",
    step: "consumer-retention",
    request: { action: "rds:DeleteDBSnapshot", resource: rds("snapshot", "orders-snap-1a2b3c4d"), context: MANAGED },
  },
  {
    what: "cleanup deleting a superseded instance it restored",
    step: "consumer-cleanup",
    request: { action: "rds:DeleteDBInstance", resource: rds("db", RESTORED_NAME), context: RESTORED },
  },
  {
    what: "cleanup deleting a superseded cluster it restored",
    step: "consumer-cleanup",
    request: {
      action: "rds:DeleteDBCluster",
      resource: rds("cluster", "billing-dev-20240101-000000"),
      context: RESTORED,
    },
  },
  {
    what: "unprotect lifting deletion protection of an instance it restored",
    step: "consumer-unprotect",
    request: { action: "rds:ModifyDBInstance", resource: rds("db", RESTORED_NAME), context: RESTORED },
  },
  {
    what: "restore counting today's restores on the target's secret",
    step: "consumer-restore",
    request: {
      action: "secretsmanager:TagResource",
      resource: "arn:aws:secretsmanager:eu-central-1:222222222222:secret:consumer-restore-secret-orders-db-AbCdEf",
    },
  },
  {
    what: "switch tagging the previous instance superseded",
    step: "consumer-switch",
    request: {
      action: "rds:AddTagsToResource",
      resource: rds("db", "orders-dev-not-ours"),
      context: {
        "aws:RequestTag/rds-replication:superseded-at": "2024-01-02T00:00:00Z",
        "aws:TagKeys": ["rds-replication:superseded-at"],
      },
    },
  },
  {
    what: "restore creating a private, tagged instance",
    step: "consumer-restore",
    request: {
      action: "rds:RestoreDBInstanceFromDBSnapshot",
      resource: rds("db", RESTORED_NAME),
      context: { "rds:PubliclyAccessible": "false", "aws:RequestTag/managed-by": "rds-replication" },
    },
  },
  {
    what: "restore creating the private writer of a restored cluster",
    step: "consumer-restore",
    request: {
      action: "rds:CreateDBInstance",
      resource: rds("db", `${RESTORED_NAME}-1`),
      context: { "rds:PubliclyAccessible": "false" },
    },
  },
  {
    what: "restore restoring a cluster",
    step: "consumer-restore",
    request: { action: "rds:RestoreDBClusterFromSnapshot", resource: rds("cluster", RESTORED_NAME) },
  },
  // RDS authorizes the restore against every resource it touches, the new instance's groups included.
  {
    what: "restore giving the instance the engine's default option group",
    step: "consumer-restore",
    request: {
      action: "rds:RestoreDBInstanceFromDBSnapshot",
      resource: rds("og", "default:postgres-16"),
      context: { "rds:PubliclyAccessible": "false" },
    },
  },
  {
    what: "restore giving the instance the engine's default parameter group",
    step: "consumer-restore",
    request: {
      action: "rds:RestoreDBInstanceFromDBSnapshot",
      resource: rds("pg", "default.postgres16"),
      context: { "rds:PubliclyAccessible": "false" },
    },
  },
  {
    what: "restore giving a cluster the engine's default cluster parameter group",
    step: "consumer-restore",
    request: {
      action: "rds:RestoreDBClusterFromSnapshot",
      resource: rds("cluster-pg", "default.aurora-postgresql16"),
    },
  },
];

describe("engine step roles (IAM simulation of the emitted dest stack)", function () {
  this.timeout(120_000);
  let dest: StackEvaluation;
  before(async () => {
    dest = (await exampleStacks()).dest;
  });
  const run = (c: Case) =>
    simulate({ ...c.request, principal: role(c.step), identityPolicies: [rolePolicy(dest, c.step)] });

  for (const c of MUST_BE_DENIED) {
    it(`denies ${c.what}`, async () => assert.notEqual(await run(c), "Allowed"));
  }
  for (const c of MUST_BE_ALLOWED) {
    it(`allows ${c.what}`, async () => assert.equal(await run(c), "Allowed"));
  }
});
