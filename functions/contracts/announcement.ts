// The versioned message the producer publishes for each destination account, and its validation by the
// consumer. Documented in docs/announcement.md. Fields may be added in version 1; none may be removed.
import { z } from "zod";
import { carriedData } from "../decisions/carriedTags";
import type { ConsumerRuntimeConfig } from "./runtimeConfig";

/** The one definition of the format version: the producer writes it, the consumer and the program check it. */
export const ANNOUNCEMENT_VERSION = 1;

/** The SNS message attribute naming the one account an announcement is for. */
export const DESTINATION_ATTRIBUTE = "destinationAccount";

/**
 * A consumer subscription's filter policy (on message attributes): SNS delivers only the announcements for
 * `account`, so no destination sees, rejects or reports another destination's announcements.
 */
export function destinationFilterPolicy(account: string): string {
  return JSON.stringify({ [DESTINATION_ATTRIBUTE]: [account] });
}

const SNAPSHOT_ARN =
  /^arn:aws[a-z-]*:rds:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):(snapshot|cluster-snapshot):([a-zA-Z][a-zA-Z0-9-]{0,254})$/;
// The producer's source may also be an automated (`rds:<db>-<time>`) or AWS Backup snapshot; the shared
// snapshot never is (only manual snapshots can be shared).
const SOURCE_SNAPSHOT_ARN =
  /^arn:aws[a-z-]*:rds:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:(?:snapshot|cluster-snapshot):(?:rds:|awsbackup:)?[a-zA-Z][a-zA-Z0-9-]{0,254}$/;

export function announcementSchema() {
  const account = () => z.string().regex(/^\d{12}$/);
  const region = () => z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/);
  return z.object({
    version: z.literal(ANNOUNCEMENT_VERSION),
    kind: z.enum(["instance", "cluster"]),
    snapshotArn: z.string().regex(SNAPSHOT_ARN, "must be an RDS snapshot or cluster snapshot ARN"),
    sourceAccount: account(),
    sourceRegion: region(),
    snapshotRegion: region(),
    sourceDatabase: z.string().min(1),
    engine: z.string().min(1),
    engineVersion: z.string().optional(),
    snapshotCreateTime: z.iso.datetime({ offset: true }),
    /** The transit key; absent only for an unencrypted cluster snapshot (`encrypted: false`). */
    keyArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/.+$/, "must be a KMS key ARN")
      .optional(),
    /** Absent: encrypted. false: an unencrypted cluster replicated as it is (replicateUnencryptedClusters). */
    encrypted: z.boolean().optional(),
    tags: z.record(z.string(), z.string()),
    databaseTags: z.record(z.string(), z.string()).optional(),
    destinationAccount: account(),
    destinationRegion: region(),
    sourceSnapshotArn: z.string().regex(SOURCE_SNAPSHOT_ARN, "must be an RDS snapshot or cluster snapshot ARN"),
    announcedAt: z.iso.datetime({ offset: true }).optional(),
  });
}

/** How far a source's clock may run ahead of ours before its snapshot time counts as in the future. */
export const CLOCK_SKEW_MS = 5 * 60_000;

export type Announcement = z.infer<ReturnType<typeof announcementSchema>>;

export type Validation = { ok: true; announcement: Announcement } | { ok: false; reason: string };

/**
 * Everything the consumer checks before it copies anything: the schema, that the announcer is a configured
 * source, that the snapshot lives in that source account and in this region, and that it is meant for us.
 */
export function validateAnnouncement(
  raw: unknown,
  config: ConsumerRuntimeConfig,
  topicArn?: string,
  now: Date = new Date(),
): Validation {
  let value = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch {
      return { ok: false, reason: "the message is not JSON" };
    }
  }
  const version = (value as { version?: unknown } | null)?.version;
  if (version !== ANNOUNCEMENT_VERSION) {
    return {
      ok: false,
      reason: `unsupported announcement version ${JSON.stringify(version)} (expected ${ANNOUNCEMENT_VERSION})`,
    };
  }
  const parsed = announcementSchema().safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    return { ok: false, reason: `malformed announcement: ${issues}` };
  }
  const a = parsed.data;
  if ((a.encrypted === false) === (a.keyArn !== undefined)) {
    return { ok: false, reason: "malformed announcement: keyArn is required exactly when the snapshot is encrypted" };
  }
  const source = config.sources.find((s) => s.account === a.sourceAccount);
  if (!source) return { ok: false, reason: `source account ${a.sourceAccount} is not a configured source` };
  if (topicArn && !config.sources.some((s) => s.topicArn === topicArn && s.account === a.sourceAccount)) {
    return { ok: false, reason: `topic ${topicArn} is not the configured topic of source ${a.sourceAccount}` };
  }
  if (source.databases && !source.databases.includes(a.sourceDatabase)) {
    return {
      ok: false,
      reason: `database ${a.sourceDatabase} of source ${a.sourceAccount} is not in this destination's allowedDatabases`,
    };
  }
  const [, arnRegion, arnAccount, arnType] = SNAPSHOT_ARN.exec(a.snapshotArn) ?? [];
  if (arnAccount !== a.sourceAccount) {
    return { ok: false, reason: `snapshot ${a.snapshotArn} is not in source account ${a.sourceAccount}` };
  }
  if ((arnType === "cluster-snapshot") !== (a.kind === "cluster")) {
    return { ok: false, reason: `snapshot ${a.snapshotArn} does not match kind ${a.kind}` };
  }
  if (a.destinationAccount !== config.account) {
    return { ok: false, reason: `announcement is for account ${a.destinationAccount}, this is ${config.account}` };
  }
  if (a.destinationRegion !== config.region || arnRegion !== config.region) {
    return {
      ok: false,
      reason: `snapshot ${a.snapshotArn} for region ${a.destinationRegion} cannot be copied here (${config.region})`,
    };
  }
  // Times from the source are claims: one in the future would make its copy look newer than every honest one.
  if (Date.parse(a.snapshotCreateTime) > now.getTime() + CLOCK_SKEW_MS) {
    return {
      ok: false,
      reason: `snapshotCreateTime ${a.snapshotCreateTime} is in the future (now ${now.toISOString()}): refused`,
    };
  }
  const holdTagKey = config.retention.holdTagKey;
  return {
    ok: true,
    announcement: {
      ...a,
      tags: carriedData(a.tags, holdTagKey),
      ...(a.databaseTags ? { databaseTags: carriedData(a.databaseTags, holdTagKey) } : {}),
    },
  };
}
