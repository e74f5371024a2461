// How AWS errors become behaviour (seed 004's catalogue). Handlers throw errors whose `name` is one of the
// stable classes below; the state machines' Retry/Catch match those names (components/stateMachines.ts reads
// RETRY_POLICIES), so the retry decision lives here once.

export type Kind = "instance" | "cluster";

/** Errors the state machine retries with backoff; anything else fails the run at once (and is notified). */
export const RETRY_POLICIES = {
  // API throttling: short, fast retries.
  Throttled: { IntervalSeconds: 5, MaxAttempts: 6, BackoffRate: 2, MaxDelaySeconds: 120 },
  // InvalidDBInstanceState and friends: the resource is busy (backing up, modifying); it frees up in minutes.
  ResourceBusy: { IntervalSeconds: 60, MaxAttempts: 10, BackoffRate: 1.5, MaxDelaySeconds: 900 },
  // Snapshot not found or not shared with us yet (sharing is eventually consistent): retry a few times, then fail.
  SnapshotNotVisible: { IntervalSeconds: 30, MaxAttempts: 4, BackoffRate: 2, MaxDelaySeconds: 300 },
} as const;

export type RetryableErrorName = keyof typeof RETRY_POLICIES;

/** Errors that end the run immediately, each with a message that says what to fix. */
export const FATAL_ERRORS = [
  "QuotaExceeded",
  "KmsKeyNotAccessible",
  "AlreadyExistsNotOurs",
  "ProvenanceMismatch",
  "ManualStartRefused",
  "CopyBudgetExhausted",
  "InvalidAnnouncement",
  "ConfigInvalid",
  "PollGaveUp",
  "SourceNotFound",
  // A copy not admitted within ADMISSION.maxAgeSeconds (functions/decisions/admission.ts): waiting is not retried.
  "AdmissionExpired",
  // A restore test found no copy to restore, or the restored database failed a check.
  "RestoreTestFailed",
] as const;

export type FatalErrorName = (typeof FATAL_ERRORS)[number];
export type ReplicationErrorName = RetryableErrorName | FatalErrorName;

export interface ReplicationError extends Error {
  name: ReplicationErrorName;
  /** The AWS error it came from, if any (kept for the log). */
  awsError?: string;
}

export function replicationError(name: ReplicationErrorName, message: string, awsError?: string): ReplicationError {
  const error = new Error(message) as ReplicationError;
  error.name = name;
  if (awsError) error.awsError = awsError;
  return error;
}

export function isRetryable(error: { name: string }): boolean {
  return Object.hasOwn(RETRY_POLICIES, error.name);
}

/** The AWS error code without the SDK's/moto's `Fault`/`Error`/`Exception` decoration. */
export function awsErrorCode(error: unknown): string {
  const raw = (error as { name?: string; Code?: string } | undefined)?.name ?? "";
  return raw.replace(/(Fault|Error|Exception)$/, "");
}

const THROTTLING: readonly string[] = [
  "Throttling",
  "Throttled",
  "TooManyRequests",
  "RequestLimitExceeded",
  "RequestThrottled",
  "SlowDown",
  "ProvisionedThroughputExceeded",
];
const BUSY: readonly string[] = [
  "InvalidDBInstanceState",
  "InvalidDBClusterState",
  "InvalidDBSnapshotState",
  "InvalidDBClusterSnapshotState",
  // EnableHttpEndpoint: "another operation is in progress".
  "InvalidResourceState",
];
const SNAPSHOT_NOT_FOUND: readonly string[] = ["DBSnapshotNotFound", "DBClusterSnapshotNotFound"];
const ALREADY_EXISTS: readonly string[] = [
  "DBSnapshotAlreadyExists",
  "DBClusterSnapshotAlreadyExists",
  "DBInstanceAlreadyExists",
  "DBClusterAlreadyExists",
];

export function isAlreadyExists(error: unknown): boolean {
  return ALREADY_EXISTS.includes(awsErrorCode(error));
}

export function isNotFound(error: unknown): boolean {
  const code = awsErrorCode(error);
  return SNAPSHOT_NOT_FOUND.includes(code) || code === "DBInstanceNotFound" || code === "DBClusterNotFound";
}

/** Facts a handler gathers when the quota error arrives, to say which of the two quotas was hit. */
export interface QuotaFacts {
  kind: Kind;
  region: string;
  account: string;
  manualSnapshots: number;
  copiesInProgress: number;
}

export const MANUAL_SNAPSHOT_QUOTA = 100;
export const COPY_CONCURRENCY: Record<Kind, number> = { instance: 20, cluster: 5 };

export function quotaMessage(facts: QuotaFacts): string {
  const where = `account ${facts.account} in ${facts.region}`;
  const label = facts.kind === "cluster" ? "DB cluster snapshot" : "DB snapshot";
  const copies = `copies in progress (${facts.copiesInProgress} of ${COPY_CONCURRENCY[facts.kind]} ${label} copies)`;
  const manual = `manual snapshots (${facts.manualSnapshots} of ${MANUAL_SNAPSHOT_QUOTA} manual ${label}s)`;
  const which =
    facts.manualSnapshots >= MANUAL_SNAPSHOT_QUOTA
      ? manual
      : facts.copiesInProgress >= COPY_CONCURRENCY[facts.kind]
        ? copies
        : `${manual} or ${copies}; neither count is at its limit now, so the account's quota may be lower than the default`;
  return (
    `SnapshotQuotaExceeded in ${where}: the quota reached is ${which}. ` +
    "Nothing was deleted to make room: delete snapshots you no longer need or ask AWS for a higher quota, then start again."
  );
}

export interface ErrorContext {
  /** What was being done, e.g. "copy snapshot arn:... to orders-x". */
  operation: string;
  /** The KMS keys the call used (the source snapshot's and the copy's), named in KMS errors. */
  keyArns?: (string | undefined)[];
  /** The account that must be granted the keys, named in KMS errors. */
  account?: string;
  quota?: QuotaFacts;
}

/**
 * The key-policy statement that lets `account` use a key through RDS in the key's region: the account root as
 * principal delegates to the account's IAM policies, which grant the step roles exactly their keys.
 */
export function rdsKeyPolicyStatement(keyArn: string, account: string): object {
  const [, partition = "aws", , region = ""] = keyArn.split(":");
  const suffix = region.startsWith("cn-") ? ".cn" : "";
  return {
    Sid: `RdsReplicationFrom${account}`,
    Effect: "Allow",
    Principal: { AWS: `arn:${partition}:iam::${account}:root` },
    Action: ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey*", "kms:ReEncrypt*", "kms:CreateGrant"],
    Resource: "*",
    Condition: { StringEquals: { "kms:ViaService": `rds.${region}.amazonaws.com${suffix}` } },
  };
}

/** KMS refused through RDS: RDS's own fault, or an AccessDenied that KMS gave the caller. */
export function isKmsRefusal(error: unknown): boolean {
  const code = awsErrorCode(error);
  if (code === "KMSKeyNotAccessible") return true;
  const message = (error as Error | undefined)?.message ?? "";
  return /^AccessDenied/.test(code) && /\bkms\b|KMS/.test(message);
}

function kmsAdvice(context: ErrorContext): string {
  const who = context.account ?? "this account";
  const keys = [...new Set((context.keyArns ?? []).filter((k): k is string => !!k))];
  const statements = keys
    .filter((k) => k.startsWith("arn:") && context.account)
    .map((k) => `key ${k}: ${JSON.stringify(rdsKeyPolicyStatement(k, context.account ?? ""))}`);
  return (
    `KMS key ${keys.join(" or ") || "(the snapshot's key)"} is not usable by account ${who} through RDS: the key must ` +
    "be enabled, its key policy must allow the account (add this statement to the key policy" +
    `${statements.length > 1 ? " of each key" : ""}: ${statements.join("; ") || "see docs/engine.md"}), and the step ` +
    "role's own policy must allow the same actions on the key (source keys: rds-replication:sourceKeyArns). " +
    "Not retried: a key policy does not change by itself."
  );
}

/**
 * Maps an AWS SDK error to the replication error class that decides retry or fail. Errors it does not know
 * keep their own name (the state machine catches them as States.ALL and notifies).
 */
export function classifyAwsError(error: unknown, context: ErrorContext): Error {
  const code = awsErrorCode(error);
  const detail = (error as Error | undefined)?.message ?? String(error);
  const prefix = `${context.operation} failed: ${code}: ${detail}`;
  if (THROTTLING.includes(code) || (error as { $retryable?: { throttling?: boolean } })?.$retryable?.throttling) {
    return replicationError("Throttled", `${prefix} (throttled; retried with backoff)`, code);
  }
  if (BUSY.includes(code))
    return replicationError("ResourceBusy", `${prefix} (resource busy; retried with backoff)`, code);
  if (SNAPSHOT_NOT_FOUND.includes(code)) {
    return replicationError(
      "SnapshotNotVisible",
      `${prefix} (the snapshot does not exist or is not shared with this account yet; retried, then failed)`,
      code,
    );
  }
  if (code === "SnapshotQuotaExceeded") {
    const message = context.quota ? quotaMessage(context.quota) : `${prefix}: a snapshot quota was reached`;
    return replicationError("QuotaExceeded", `${context.operation} failed: ${message}`, code);
  }
  if (isKmsRefusal(error)) return replicationError("KmsKeyNotAccessible", `${prefix}. ${kmsAdvice(context)}`, code);
  return error instanceof Error ? error : new Error(prefix);
}
