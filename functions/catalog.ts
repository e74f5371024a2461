// Every Lambda of the product: the program turns each entry into a CallbackFunction with a role built from
// `iam`, and the state machines reference Tasks by `key`. Keys are stable (Lambda names and ASL states).

import { type Clock, REAL_CLOCK } from "./clock";
import { COPY_CONCURRENCY } from "./decisions/errors";
import { DEFAULT_POLL_BOUNDS } from "./decisions/pollSchedule";
import { RESTORE_TEST_ROLE } from "./decisions/restoreTestChecks";
import { DELETE_AFTER_KEY, DELETION_DUE_KEY, MANAGED_BY_KEY, MANAGED_BY_VALUE, ROLE_KEY } from "./decisions/tags";
import { RESOURCE_TYPES } from "./iamResourceTypes";
import { cleanup, unprotect } from "./steps/consumer/cleanup";
import { copySharedWith } from "./steps/consumer/copy";
import { discardFailedCopy } from "./steps/consumer/discard";
import { intake } from "./steps/consumer/intake";
import { restore } from "./steps/consumer/restore";
import {
  deleteRestoreTest,
  queryRestoreTest,
  reportRestoreTest,
  startRestoreTest,
  verifyRestoreTest,
} from "./steps/consumer/restoreTest";
import { applyRetention } from "./steps/consumer/retention";
import { sendReceipt } from "./steps/consumer/sendReceipt";
import { switchEndpoint } from "./steps/consumer/switch";
import { awaitCopyWith, copyEventWith } from "./steps/copyAwait";
import { notify } from "./steps/notify";
import { pollWith } from "./steps/poll";
import { plan } from "./steps/producer/plan";
import { pruneTransit } from "./steps/producer/prune";
import { publish } from "./steps/producer/publish";
import { recordReceipts } from "./steps/producer/recordReceipt";
import { takeSnapshot } from "./steps/producer/snapshot";
import { prepareTransitWith } from "./steps/producer/transit";

export type ResourceKind =
  | "source-db-instance"
  | "source-db-cluster"
  | "db-snapshot"
  | "db-cluster-snapshot"
  | "transit-key"
  | "own-key"
  | "source-transit-key"
  /** The KMS keys of the producer's source databases: a transit copy decrypts the source snapshot with them. */
  | "source-db-key"
  | "announce-topic"
  /** A source's receipt topic for this destination account and region (functions/steps/consumer/sendReceipt.ts). */
  | "receipt-topic"
  /** The key of a source's receipt topics: publishing to an encrypted topic needs GenerateDataKey and Decrypt. */
  | "receipt-key"
  | "notify-topic"
  | "restore-secret"
  | "restored-db-instance"
  | "restored-db-cluster"
  /** Restore tests' databases (`rt-*`, functions/decisions/restoreTestChecks.ts): never a refresh target's. */
  | "restore-test-db-instance"
  | "restore-test-db-cluster"
  /** The master user secrets RDS creates for restore tests' clusters (`rds!cluster-*`, Data API queries). */
  | "restore-test-secret"
  | "subnet-group"
  | "db-parameter-group"
  | "db-option-group"
  | "security-group"
  | "state-machine"
  | "state-machine-execution"
  /** The stack's DynamoDB table of copies waiting for a slot (functions/aws/admissionQueue.ts). */
  | "admission-table"
  | "any";

/**
 * The IAM resource types (Service Authorization Reference, service-qualified) each kind is: what an action's
 * catalogue entry (iamResourceTypes.ts) is matched against. VPC security groups have no RDS resource type.
 */
export const KIND_RESOURCE_TYPES: Readonly<Record<ResourceKind, readonly string[]>> = {
  "source-db-instance": ["rds:db"],
  "source-db-cluster": ["rds:cluster"],
  "db-snapshot": ["rds:snapshot"],
  "db-cluster-snapshot": ["rds:cluster-snapshot"],
  "transit-key": ["kms:key"],
  "own-key": ["kms:key"],
  "source-transit-key": ["kms:key"],
  "source-db-key": ["kms:key"],
  "announce-topic": ["sns:topic"],
  "receipt-topic": ["sns:topic"],
  "receipt-key": ["kms:key"],
  "notify-topic": ["sns:topic"],
  "restore-secret": ["secretsmanager:Secret"],
  "restored-db-instance": ["rds:db"],
  "restored-db-cluster": ["rds:cluster"],
  "restore-test-db-instance": ["rds:db"],
  // The Data API authorizes ExecuteStatement against its own name for the cluster.
  "restore-test-db-cluster": ["rds:cluster", "rds-data:cluster"],
  "restore-test-secret": ["secretsmanager:Secret"],
  "subnet-group": ["rds:subgrp"],
  "db-parameter-group": ["rds:pg", "rds:cluster-pg"],
  "db-option-group": ["rds:og"],
  "security-group": [],
  "state-machine": ["states:statemachine"],
  "state-machine-execution": ["states:execution", "states:express"],
  "admission-table": ["dynamodb:table"],
  any: [],
};

export interface IamStatement {
  actions: string[];
  resources: ResourceKind[];
  conditions?: Record<string, Record<string, string | string[]>>;
  /** KMS use only through this service in each key's own region (the program pins `kms:ViaService`). */
  viaService?: "rds" | "sns";
}

export interface Step {
  key: string;
  side: "producer" | "consumer";
  // biome-ignore lint/suspicious/noExplicitAny: each handler takes its own event type
  handler: (event: any) => Promise<unknown>;
  /** A step that reads the time is built over a clock: `handler` is this over the real one (tests pass theirs). */
  // biome-ignore lint/suspicious/noExplicitAny: each handler takes its own event type
  overClock?: (clock: Clock) => (event: any) => Promise<unknown>;
  description: string;
  timeoutSeconds: number;
  memoryMb: number;
  /** Reserved concurrency this step always has, because correctness needs it (overrides the stack's setting). */
  reservedConcurrency?: number;
  /** When the stack reserves concurrency (optional `reservedConcurrency`), at least this much for this step. */
  minReservedConcurrency?: number;
  iam: IamStatement[];
}

/** IAM action patterns: case-insensitive, `*` and `?` wildcards. */
export function actionMatches(pattern: string, action: string): boolean {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${escaped}$`, "i").test(action);
}

/** The catalogue's resource types, required or not, of every action a pattern stands for. */
const typesTakenBy = (patterns: readonly string[]): Set<string> =>
  new Set(
    Object.entries(RESOURCE_TYPES)
      .filter(([action]) => patterns.some((p) => actionMatches(p, action)))
      .flatMap(([, types]) => [...types.required, ...types.optional]),
  );

/**
 * A statement on the resources the catalogue says its actions are authorized against: of the kinds this
 * step could mean (`candidates`), those whose resource type an action takes. A required type no candidate
 * is (RestoreDBClusterFromSnapshot needs the option group) is caught by tests/security/iam-catalogue.test.ts.
 */
function on(
  actions: string[],
  candidates: readonly ResourceKind[],
  rest: Omit<IamStatement, "actions" | "resources"> = {},
): IamStatement {
  const taken = typesTakenBy(actions);
  return { actions, resources: candidates.filter((k) => KIND_RESOURCE_TYPES[k].some((t) => taken.has(t))), ...rest };
}

/** Actions without a required resource type (Describe*): allowed on "*". */
const anywhere = (actions: string[]): IamStatement => ({ actions, resources: ["any"] });

// What "a snapshot", "a database" and "a group" mean to the steps that copy, take, restore or replace them.
const SNAPSHOTS: ResourceKind[] = ["db-snapshot", "db-cluster-snapshot"];
const SOURCE_DATABASES: ResourceKind[] = ["source-db-instance", "source-db-cluster", ...SNAPSHOTS];
const RESTORED: ResourceKind[] = ["restored-db-instance", "restored-db-cluster"];
const RESTORE_INPUTS: ResourceKind[] = [
  ...SNAPSHOTS,
  ...RESTORED,
  "subnet-group",
  "db-parameter-group",
  "db-option-group",
];

// The restore step counts today's restores before starting one, the switch reads the secret before writing it:
// one invocation at a time makes each read-then-write atomic (both take well under a second).
const ONE_AT_A_TIME = 1;
// Starting a copy counts the copies in progress and then starts one; two invocations at once could both see
// a free slot and exceed RDS's per-region limit (which RDS answers with a fatal SnapshotQuotaExceeded).
// One invocation at a time makes count-then-start atomic for this tool; a start takes well under a second.
const ONE_COPY_START_AT_A_TIME = 1;
// The poll steps sleep through their near-end watch (up to inlineBudgetSeconds, so at most 30 checks of at least
// minWaitSeconds apart); the rest leaves each check a few seconds of SDK retries.
const POLL_TIMEOUT_SECONDS = DEFAULT_POLL_BOUNDS.inlineBudgetSeconds + 150;
// Mostly asleep: the smallest Lambda size, billed per GB-second for the whole watch.
const POLL_MEMORY_MB = 128;
// A watch holds its Lambda for minutes; as many can run at once as copies can be in progress in a region, and
// a smaller reservation set for the stack would throttle them (unreserved, they share the account's pool).
const POLL_CONCURRENCY = COPY_CONCURRENCY.instance + COPY_CONCURRENCY.cluster;

const MANAGED = { StringEquals: { [`aws:ResourceTag/${MANAGED_BY_KEY}`]: MANAGED_BY_VALUE } };
// What the restore step tags every database it creates with: only those may ever be modified or deleted.
const RESTORED_BY_US = {
  StringEquals: {
    [`aws:ResourceTag/${MANAGED_BY_KEY}`]: MANAGED_BY_VALUE,
    [`aws:ResourceTag/${ROLE_KEY}`]: "restored",
  },
};
// What the consumer's copy step tags each copy with: the failed-copy cleanup deletes nothing else.
const COPIED_BY_US = {
  StringEquals: { [`aws:ResourceTag/${MANAGED_BY_KEY}`]: MANAGED_BY_VALUE, [`aws:ResourceTag/${ROLE_KEY}`]: "copy" },
};
// What a restore test tags its database with: its delete step deletes nothing else.
const RESTORE_TESTED_BY_US = {
  StringEquals: {
    [`aws:ResourceTag/${MANAGED_BY_KEY}`]: MANAGED_BY_VALUE,
    [`aws:ResourceTag/${ROLE_KEY}`]: RESTORE_TEST_ROLE,
  },
};
const TEST_DATABASES: ResourceKind[] = ["restore-test-db-instance", "restore-test-db-cluster"];
const TAGGED_ON_CREATE = { StringEquals: { [`aws:RequestTag/${MANAGED_BY_KEY}`]: MANAGED_BY_VALUE } };

// RDS Describe* calls have no resource-level permissions that cover listing.
const DESCRIBE_SNAPSHOTS = anywhere(["rds:DescribeDBSnapshots", "rds:DescribeDBClusterSnapshots"]);
const DESCRIBE_DATABASES = anywhere(["rds:DescribeDBInstances", "rds:DescribeDBClusters"]);
const READ_TAGS = on(["rds:ListTagsForResource"], SNAPSHOTS);

// Copying or restoring under a KMS key needs the key's use through RDS of the key's region, including the
// grant RDS makes for the new resource. RDS never asks the caller's identity for kms:Encrypt on a copy.
const useKey = (key: ResourceKind): IamStatement[] => [
  on(["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey*", "kms:ReEncrypt*"], [key], { viaService: "rds" }),
  on(["kms:CreateGrant"], [key], {
    viaService: "rds",
    conditions: { Bool: { "kms:GrantIsForAWSResource": "true" } },
  }),
];

const COPY_SNAPSHOTS: IamStatement[] = [
  DESCRIBE_SNAPSHOTS,
  // The source side of a copy: any snapshot we can read (shared with us or our own).
  on(["rds:CopyDBSnapshot", "rds:CopyDBClusterSnapshot"], SNAPSHOTS),
  // Tags are set in the copy call itself.
  on(["rds:AddTagsToResource"], SNAPSHOTS, { conditions: TAGGED_ON_CREATE }),
];

// Pruning and retention: list snapshots, delete only those tagged as made by the tool.
const DELETE_OWN_SNAPSHOTS: IamStatement[] = [
  DESCRIBE_SNAPSHOTS,
  on(["rds:DeleteDBSnapshot", "rds:DeleteDBClusterSnapshot"], SNAPSHOTS, { conditions: MANAGED }),
];

const PUBLISH_NOTIFY = on(["sns:Publish"], ["notify-topic"]);

// Start a run under its deterministic name and, when the name is taken, read that run's status to tell a
// duplicate from a re-run (functions/aws/executions.ts).
const START_RUNS: IamStatement[] = [
  on(["states:StartExecution"], ["state-machine"]),
  on(["states:DescribeExecution"], ["state-machine-execution"]),
];

// Admission (functions/decisions/admission.ts): renew this copy's ticket, read its queue, leave it once started.
const ADMISSION_QUEUE = on(["dynamodb:UpdateItem", "dynamodb:Query", "dynamodb:DeleteItem"], ["admission-table"]);

// Copy completion (functions/steps/copyAwait.ts): the registrar stores the waiting run's token and may claim it,
// the event handler reads and claims it; either resumes the run. A task token is not a resource: Step Functions
// authorizes SendTask* on "*" (tests/security/iam-catalogue.test.ts checks it against the catalogue).
const RESUME_RUNS = anywhere(["states:SendTaskSuccess", "states:SendTaskFailure"]);
const DESCRIBE_DB_SNAPSHOTS = anywhere(["rds:DescribeDBSnapshots"]);
const AWAIT_COPY: IamStatement[] = [
  DESCRIBE_DB_SNAPSHOTS,
  on(["dynamodb:PutItem", "dynamodb:DeleteItem"], ["admission-table"]),
  RESUME_RUNS,
];
const COPY_EVENT: IamStatement[] = [
  DESCRIBE_DB_SNAPSHOTS,
  on(["dynamodb:GetItem", "dynamodb:DeleteItem"], ["admission-table"]),
  RESUME_RUNS,
];
// Both store or read one item, describe one snapshot and maybe resume one run: well under a second.
const COPY_COMPLETION_TIMEOUT_SECONDS = 30;
const COPY_COMPLETION_MEMORY_MB = 128;

/** `handler` and `overClock` of a step that reads the time. */
// biome-ignore lint/suspicious/noExplicitAny: each handler takes its own event type
const clocked = (factory: (clock: Clock) => (event: any) => Promise<unknown>) => ({
  handler: factory(REAL_CLOCK),
  overClock: factory,
});

export const STEPS: Step[] = [
  {
    key: "producer-plan",
    side: "producer",
    handler: plan,
    description: "Turns an RDS snapshot event, the schedule or a manual start into one run per database",
    // Starting one execution per database: hundreds of StartExecution calls, each retried when throttled.
    timeoutSeconds: 300,
    memoryMb: 256,
    // Option groups: a snapshot whose group has permanent or persistent options is refused up front.
    iam: [DESCRIBE_SNAPSHOTS, DESCRIBE_DATABASES, on(["rds:DescribeOptionGroups"], ["db-option-group"]), ...START_RUNS],
  },
  {
    key: "producer-snapshot",
    side: "producer",
    handler: takeSnapshot,
    description: "Takes the scheduled snapshot <db>-<UTC timestamp>",
    timeoutSeconds: 60,
    memoryMb: 256,
    iam: [
      DESCRIBE_SNAPSHOTS,
      on(["rds:CreateDBSnapshot"], SOURCE_DATABASES),
      on(["rds:CreateDBClusterSnapshot"], SOURCE_DATABASES),
      on(["rds:AddTagsToResource"], SNAPSHOTS, { conditions: TAGGED_ON_CREATE }),
    ],
  },
  {
    key: "producer-poll",
    side: "producer",
    ...clocked(pollWith),
    description: "Checks a snapshot or copy in progress and decides the next wait",
    timeoutSeconds: POLL_TIMEOUT_SECONDS,
    memoryMb: POLL_MEMORY_MB,
    minReservedConcurrency: POLL_CONCURRENCY,
    iam: [DESCRIBE_SNAPSHOTS],
  },
  {
    key: "producer-await-copy",
    side: "producer",
    ...clocked(awaitCopyWith("producer")),
    description: "Registers a run waiting for its transit copy's copy-finished event and checks the copy once",
    timeoutSeconds: COPY_COMPLETION_TIMEOUT_SECONDS,
    memoryMb: COPY_COMPLETION_MEMORY_MB,
    iam: AWAIT_COPY,
  },
  {
    key: "producer-copy-event",
    side: "producer",
    ...clocked(copyEventWith("producer")),
    description: "Resumes the run waiting for a transit copy when RDS says the copy finished (EventBridge target)",
    timeoutSeconds: COPY_COMPLETION_TIMEOUT_SECONDS,
    memoryMb: COPY_COMPLETION_MEMORY_MB,
    iam: COPY_EVENT,
  },
  {
    key: "producer-transit",
    side: "producer",
    ...clocked(prepareTransitWith),
    description: "Shares directly or starts the transit copy under the producer key in each destination region",
    timeoutSeconds: 120,
    memoryMb: 256,
    reservedConcurrency: ONE_COPY_START_AT_A_TIME,
    iam: [...COPY_SNAPSHOTS, READ_TAGS, ADMISSION_QUEUE, ...useKey("transit-key"), ...useKey("source-db-key")],
  },
  {
    key: "producer-publish",
    side: "producer",
    handler: publish,
    description: "Shares the transit snapshot with the destination accounts and announces it",
    timeoutSeconds: 60,
    memoryMb: 256,
    iam: [
      // Sharing only what the tool made (transit copies, its scheduled snapshots): a stolen publish role cannot
      // share any other snapshot of the account with anyone.
      on(["rds:ModifyDBSnapshotAttribute", "rds:ModifyDBClusterSnapshotAttribute"], SNAPSHOTS, { conditions: MANAGED }),
      on(["sns:Publish"], ["announce-topic"]),
    ],
  },
  {
    key: "producer-prune",
    side: "producer",
    handler: pruneTransit,
    description: "Keeps the newest K transit copies per database, deleting older ones this tool made",
    timeoutSeconds: 120,
    memoryMb: 256,
    iam: [
      ...DELETE_OWN_SNAPSHOTS,
      // Who a snapshot was shared with, and who has receipted it (functions/decisions/transitReceipts.ts).
      on(["rds:DescribeDBSnapshotAttributes", "rds:DescribeDBClusterSnapshotAttributes"], SNAPSHOTS),
      on(["dynamodb:Query"], ["admission-table"]),
    ],
  },
  {
    key: "producer-receipt",
    side: "producer",
    handler: recordReceipts,
    description: "Records destinations' receipts (copied or gave up) from their receipt topics (SNS, not a Task)",
    timeoutSeconds: 30,
    memoryMb: 256,
    iam: [on(["dynamodb:PutItem"], ["admission-table"])],
  },
  {
    key: "producer-notify",
    side: "producer",
    handler: notify,
    description: "Publishes the run's success or failure on the notify topic",
    timeoutSeconds: 30,
    memoryMb: 256,
    iam: [PUBLISH_NOTIFY],
  },
  {
    key: "consumer-intake",
    side: "consumer",
    handler: intake,
    description: "Validates announcements from the producer topic and starts the consumer state machine",
    timeoutSeconds: 30,
    memoryMb: 256,
    iam: [...START_RUNS, PUBLISH_NOTIFY],
  },
  {
    key: "consumer-copy",
    side: "consumer",
    ...clocked(copySharedWith),
    description: "Copies the shared snapshot into this account under this account's key",
    timeoutSeconds: 120,
    memoryMb: 256,
    reservedConcurrency: ONE_COPY_START_AT_A_TIME,
    iam: [...COPY_SNAPSHOTS, ADMISSION_QUEUE, ...useKey("own-key"), ...useKey("source-transit-key")],
  },
  {
    key: "consumer-receipt",
    side: "consumer",
    handler: sendReceipt,
    description: "Tells the source this account copied, or gave up on, an announced snapshot",
    timeoutSeconds: 30,
    memoryMb: 256,
    // Publishing to the source's encrypted receipt topic: its key through SNS only, as its key policy allows.
    iam: [
      on(["sns:Publish"], ["receipt-topic"]),
      on(["kms:GenerateDataKey", "kms:Decrypt"], ["receipt-key"], { viaService: "sns" }),
    ],
  },
  {
    key: "consumer-poll",
    side: "consumer",
    ...clocked(pollWith),
    description: "Checks a copy or restore in progress and decides the next wait",
    timeoutSeconds: POLL_TIMEOUT_SECONDS,
    memoryMb: POLL_MEMORY_MB,
    minReservedConcurrency: POLL_CONCURRENCY,
    iam: [DESCRIBE_SNAPSHOTS, DESCRIBE_DATABASES],
  },
  {
    key: "consumer-await-copy",
    side: "consumer",
    ...clocked(awaitCopyWith("consumer")),
    description: "Registers a run waiting for its copy's copy-finished event and checks the copy once",
    timeoutSeconds: COPY_COMPLETION_TIMEOUT_SECONDS,
    memoryMb: COPY_COMPLETION_MEMORY_MB,
    iam: AWAIT_COPY,
  },
  {
    key: "consumer-copy-event",
    side: "consumer",
    ...clocked(copyEventWith("consumer")),
    description: "Resumes the run waiting for a copy when RDS says the copy finished (EventBridge target)",
    timeoutSeconds: COPY_COMPLETION_TIMEOUT_SECONDS,
    memoryMb: COPY_COMPLETION_MEMORY_MB,
    iam: COPY_EVENT,
  },
  {
    key: "consumer-restore",
    side: "consumer",
    handler: restore,
    description: "Restores a new database from the copy of a database with a refresh target",
    timeoutSeconds: 120,
    memoryMb: 256,
    reservedConcurrency: ONE_AT_A_TIME,
    iam: [
      // The per-day count lives in a tag of the target's secret.
      on(
        ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "secretsmanager:TagResource"],
        ["restore-secret"],
      ),
      DESCRIBE_DATABASES,
      // DB instances (restored, or the writer of a restored cluster) only if the request says not public. RDS
      // also authorizes the parameter and option groups the new database gets (the engine's defaults).
      on(["rds:RestoreDBInstanceFromDBSnapshot", "rds:CreateDBInstance"], RESTORE_INPUTS, {
        conditions: { Bool: { "rds:PubliclyAccessible": "false" } },
      }),
      // A cluster has no public endpoint of its own (its instances do, see above).
      on(["rds:RestoreDBClusterFromSnapshot"], RESTORE_INPUTS),
      on(["rds:AddTagsToResource"], RESTORED, { conditions: TAGGED_ON_CREATE }),
      ...useKey("own-key"),
    ],
  },
  {
    key: "consumer-switch",
    side: "consumer",
    handler: switchEndpoint,
    description: "Points the target's secret at the restored database if its data is newer; plans the cleanup",
    timeoutSeconds: 60,
    memoryMb: 256,
    reservedConcurrency: ONE_AT_A_TIME,
    // No ModifyDB*: this role cannot make a database public, change its password or its security groups.
    iam: [
      on(["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"], ["restore-secret"]),
      DESCRIBE_DATABASES,
      // The previous database may predate the tool: tagging it superseded is the only change made to it, and
      // that tag alone can never make it deletable.
      on(["rds:AddTagsToResource"], RESTORED, {
        conditions: {
          "ForAllValues:StringEquals": { "aws:TagKeys": [DELETE_AFTER_KEY] },
          Null: { "aws:TagKeys": "false" },
        },
      }),
    ],
  },
  {
    key: "consumer-unprotect",
    side: "consumer",
    handler: unprotect,
    description: "Lifts deletion protection of superseded databases the tool restored (nothing else)",
    timeoutSeconds: 120,
    memoryMb: 256,
    iam: [
      on(["secretsmanager:GetSecretValue"], ["restore-secret"]),
      DESCRIBE_DATABASES,
      on(["rds:ModifyDBInstance", "rds:ModifyDBCluster"], RESTORED, { conditions: RESTORED_BY_US }),
    ],
  },
  {
    key: "consumer-cleanup",
    side: "consumer",
    handler: cleanup,
    description: "Deletes superseded databases the tool restored, beyond each target's newest N",
    timeoutSeconds: 300,
    memoryMb: 256,
    iam: [
      on(["secretsmanager:GetSecretValue"], ["restore-secret"]),
      DESCRIBE_DATABASES,
      // DeleteDBCluster is authorized against a cluster snapshot too (the final one; the step skips it).
      on(["rds:DeleteDBInstance", "rds:DeleteDBCluster"], [...RESTORED, "db-cluster-snapshot"], {
        conditions: RESTORED_BY_US,
      }),
    ],
  },
  {
    key: "consumer-discard",
    side: "consumer",
    handler: discardFailedCopy,
    description: "After a failed run, deletes that run's own copy if incomplete or failed (dry run unless enabled)",
    timeoutSeconds: 60,
    memoryMb: 256,
    iam: [
      DESCRIBE_SNAPSHOTS,
      on(["rds:DeleteDBSnapshot", "rds:DeleteDBClusterSnapshot"], SNAPSHOTS, { conditions: COPIED_BY_US }),
    ],
  },
  {
    key: "consumer-retention",
    side: "consumer",
    handler: applyRetention,
    description: "Applies the retention policy to this account's copies (dry run unless enabled)",
    timeoutSeconds: 300,
    memoryMb: 256,
    iam: [
      ...DELETE_OWN_SNAPSHOTS,
      DESCRIBE_DATABASES,
      on(["secretsmanager:GetSecretValue"], ["restore-secret"]),
      // The cooling-off mark (functions/decisions/coolingOff.ts): only that tag, only on snapshots the tool made.
      on(["rds:AddTagsToResource", "rds:RemoveTagsFromResource"], SNAPSHOTS, {
        conditions: {
          ...MANAGED,
          "ForAllValues:StringEquals": { "aws:TagKeys": [DELETION_DUE_KEY] },
          Null: { "aws:TagKeys": "false" },
        },
      }),
    ],
  },
  // The restore-test state machine (components/stateMachines.ts restoreTestDefinition); it polls with consumer-poll.
  {
    key: "consumer-restore-test-start",
    side: "consumer",
    handler: startRestoreTest,
    description: "Restores the newest copy of a database as a restore test (rt-*) into an isolated network",
    timeoutSeconds: 120,
    memoryMb: 256,
    iam: [
      DESCRIBE_SNAPSHOTS,
      DESCRIBE_DATABASES,
      on(
        ["rds:RestoreDBInstanceFromDBSnapshot", "rds:CreateDBInstance"],
        [...SNAPSHOTS, ...TEST_DATABASES, "subnet-group", "db-parameter-group", "db-option-group"],
        { conditions: { Bool: { "rds:PubliclyAccessible": "false" } } },
      ),
      on(
        ["rds:RestoreDBClusterFromSnapshot"],
        [...SNAPSHOTS, ...TEST_DATABASES, "subnet-group", "db-parameter-group", "db-option-group"],
      ),
      on(["rds:AddTagsToResource"], TEST_DATABASES, { conditions: TAGGED_ON_CREATE }),
      ...useKey("own-key"),
    ],
  },
  {
    key: "consumer-restore-test-verify",
    side: "consumer",
    handler: verifyRestoreTest,
    description: "Checks a restore test's database without credentials and records its time to available",
    timeoutSeconds: 60,
    memoryMb: 256,
    iam: [DESCRIBE_DATABASES],
  },
  {
    key: "consumer-restore-test-query",
    side: "consumer",
    handler: queryRestoreTest,
    description: "Runs SELECT 1 through the RDS Data API on an Aurora restore test's cluster (dataApiSelect)",
    timeoutSeconds: 60,
    memoryMb: 256,
    iam: [
      DESCRIBE_DATABASES,
      // RDS-managed master password (the restored cluster's own is the source's) and the HTTP endpoint, only on
      // this tool's test clusters; the secret RDS then creates is read, never written, by this role.
      on(["rds:ModifyDBCluster"], ["restore-test-db-cluster"], {
        conditions: { ...RESTORE_TESTED_BY_US, Bool: { "rds:ManageMasterUserPassword": "true" } },
      }),
      on(["rds:EnableHttpEndpoint"], ["restore-test-db-cluster"], { conditions: RESTORE_TESTED_BY_US }),
      // RDS creates the secret in the caller's name (Aurora User Guide, "Permissions required for Secrets
      // Manager integration").
      on(["secretsmanager:CreateSecret", "secretsmanager:TagResource"], ["restore-test-secret"]),
      on(["secretsmanager:GetSecretValue"], ["restore-test-secret"]),
      on(["rds-data:ExecuteStatement"], ["restore-test-db-cluster"], { conditions: RESTORE_TESTED_BY_US }),
    ],
  },
  {
    key: "consumer-restore-test-delete",
    side: "consumer",
    handler: deleteRestoreTest,
    description: "Deletes a restore test's database (rt-*, tagged restore-test), also after a failed test",
    timeoutSeconds: 120,
    memoryMb: 256,
    iam: [
      DESCRIBE_DATABASES,
      // DeleteDBCluster is authorized against a cluster snapshot too (the final one; the step skips it).
      on(["rds:DeleteDBInstance", "rds:DeleteDBCluster"], [...TEST_DATABASES, "db-cluster-snapshot"], {
        conditions: RESTORE_TESTED_BY_US,
      }),
    ],
  },
  {
    key: "consumer-restore-test-report",
    side: "consumer",
    handler: reportRestoreTest,
    description: "Publishes a restore test's result on the notify topic",
    timeoutSeconds: 30,
    memoryMb: 256,
    iam: [PUBLISH_NOTIFY],
  },
  {
    key: "consumer-notify",
    side: "consumer",
    handler: notify,
    description: "Publishes the run's success or failure on the notify topic",
    timeoutSeconds: 30,
    memoryMb: 256,
    iam: [PUBLISH_NOTIFY],
  },
];

/** The steps only the restore-test state machine runs (components/stateMachines.ts restoreTestDefinition). */
export const RESTORE_TEST_STEPS = [
  "consumer-restore-test-start",
  "consumer-restore-test-verify",
  "consumer-restore-test-query",
  "consumer-restore-test-delete",
  "consumer-restore-test-report",
] as const;

/** The copy-finished event handlers: EventBridge targets, never a state machine's Task. */
export const COPY_EVENT_STEPS = ["producer-copy-event", "consumer-copy-event"] as const;

export function stepsOf(side: Step["side"]): Step[] {
  return STEPS.filter((s) => s.side === side);
}

export function stepByKey(key: string): Step {
  const step = STEPS.find((s) => s.key === key);
  if (!step) throw new Error(`no step ${key} in the catalog`);
  return step;
}
