// Which snapshot copies a retention policy keeps: restic's `forget --keep-*` semantics over UTC calendar
// buckets, plus keepLast and an age window. Pure; the deletion guard (deletionGuard.ts) adds the operational
// safety rules on top. Contract: ../shared/DESIGN.md "Contracts that other code relies on".

export interface RetentionPolicy {
  /** Keep the N newest managed snapshots. */
  keepLast?: number;
  /** Keep managed snapshots created less than N days (N * 24 h, fractions allowed) before `now`. */
  maxAgeDays?: number;
  /** Keep the newest snapshot of each of the N most recent UTC days that have one. */
  daily?: number;
  /** Likewise per ISO week (Monday to Sunday, UTC); weeks spanning a new year are one bucket. */
  weekly?: number;
  /** Likewise per UTC calendar month. */
  monthly?: number;
  /** Likewise per UTC calendar year. */
  yearly?: number;
}

export interface RetentionSnapshot {
  id: string;
  createdAt: Date;
  managed: boolean;
}

export interface RetentionPlan<T extends RetentionSnapshot> {
  /** Newest first. */
  keep: T[];
  /** Newest first. */
  delete: T[];
}

/** The lifecycles DRACO selects with the `Draco_Lifecycle` tag. */
export const RETENTION_PRESETS = {
  Test: { maxAgeDays: 5 },
  Standard: { daily: 7, weekly: 5, monthly: 12, yearly: 7 },
} as const satisfies Record<string, RetentionPolicy>;

export type RetentionPresetName = keyof typeof RETENTION_PRESETS;

/** DRACO's lifecycle value for a database that is not replicated at all (not a retention: nothing is copied). */
export const LIFECYCLE_IGNORE = "Ignore";

const DAY_MS = 86_400_000;
// 1970-01-01 was a Thursday; shifting by 3 days makes integer division start weeks on Mondays (ISO 8601).
const THURSDAY_TO_MONDAY_DAYS = 3;

// Bucket functions map a timestamp to an integer identifying its calendar period. Counting distinct Mondays
// rather than (year, week number) pairs keeps ISO weeks that straddle a year boundary in one bucket.
const BUCKET_RULES = [
  ["daily", (ms: number) => Math.floor(ms / DAY_MS)],
  ["weekly", (ms: number) => Math.floor((Math.floor(ms / DAY_MS) + THURSDAY_TO_MONDAY_DAYS) / 7)],
  [
    "monthly",
    (ms: number) => {
      const date = new Date(ms);
      return date.getUTCFullYear() * 12 + date.getUTCMonth();
    },
  ],
  ["yearly", (ms: number) => new Date(ms).getUTCFullYear()],
] as const;

const POLICY_FIELDS: readonly (keyof RetentionPolicy)[] = [
  "keepLast",
  "maxAgeDays",
  "daily",
  "weekly",
  "monthly",
  "yearly",
];

export function validateRetentionPolicy(policy: RetentionPolicy): void {
  if (policy === null || typeof policy !== "object" || Array.isArray(policy)) {
    throw new TypeError("retention policy must be an object such as { daily: 7 }");
  }
  for (const key of Object.keys(policy)) {
    if (!(POLICY_FIELDS as readonly string[]).includes(key)) {
      throw new RangeError(`retention policy: unknown field "${key}" (allowed: ${POLICY_FIELDS.join(", ")})`);
    }
  }
  for (const field of POLICY_FIELDS) {
    const value = policy[field];
    if (value === undefined) continue;
    const valid =
      typeof value === "number" &&
      Number.isFinite(value) &&
      value >= 0 &&
      (field === "maxAgeDays" || Number.isInteger(value));
    if (!valid) {
      const expected = field === "maxAgeDays" ? "a non-negative finite number" : "a non-negative integer";
      throw new RangeError(`retention policy: ${field} must be ${expected}, got ${String(value)}`);
    }
  }
}

function timeOf(date: unknown, what: string): number {
  const ms = date instanceof Date ? date.getTime() : Number.NaN;
  if (Number.isNaN(ms)) throw new TypeError(`${what} must be a valid Date, got ${String(date)}`);
  return ms;
}

/** What keeps a snapshot: one of the policy's rules, or one of the planner's fixed rules. */
export type RetentionRule =
  | "unmanaged"
  | "no rule set"
  | "newest"
  | "keepLast"
  | "maxAgeDays"
  | "daily"
  | "weekly"
  | "monthly"
  | "yearly";

export interface RetentionExplanation<T extends RetentionSnapshot> {
  snapshot: T;
  /** Every rule that keeps it (several may); empty means retention would delete it. */
  keptBy: RetentionRule[];
  /** For each rule set in the policy that does not keep it, why not. */
  passedOverBy: { rule: RetentionRule; why: string }[];
}

type BucketRule = (typeof BUCKET_RULES)[number][0];

const dayOf = (days: number) => new Date(days * DAY_MS).toISOString().slice(0, 10);
// Labels for reports, from the bucket ids above.
const BUCKET_LABELS: Record<BucketRule, (id: number) => string> = {
  daily: (id) => `day ${dayOf(id)}`,
  weekly: (id) => `week of Monday ${dayOf(id * 7 - THURSDAY_TO_MONDAY_DAYS)}`,
  monthly: (id) => `month ${Math.floor(id / 12)}-${String((id % 12) + 1).padStart(2, "0")}`,
  yearly: (id) => `year ${id}`,
};
const BUCKET_UNITS: Record<BucketRule, string> = { daily: "days", weekly: "weeks", monthly: "months", yearly: "years" };

function passedOverBucket(bucket: { field: BucketRule; last?: number }, id: number, policy: RetentionPolicy): string {
  const label = BUCKET_LABELS[bucket.field](id);
  if (id === bucket.last) return `a newer one is kept for ${label}`;
  return `${label} is beyond the ${policy[bucket.field]} most recent ${BUCKET_UNITS[bucket.field]}`;
}

/**
 * The rules behind planRetention's decision for every snapshot, newest first (the same order and tie-breaks):
 * a snapshot is in `keep` exactly when `keptBy` is not empty. Pure; for reports and logs.
 */
export function explainRetention<T extends RetentionSnapshot>(
  snapshots: readonly T[],
  policy: RetentionPolicy,
  now: Date,
): RetentionExplanation<T>[] {
  return decide(snapshots, policy, now, true);
}

// One walk for both entry points; planning skips the reasons' text, which costs more than the decision itself.
function decide<T extends RetentionSnapshot>(
  snapshots: readonly T[],
  policy: RetentionPolicy,
  now: Date,
  withReasons: boolean,
): RetentionExplanation<T>[] {
  validateRetentionPolicy(policy);
  const nowMs = timeOf(now, "now");
  if (!Array.isArray(snapshots)) throw new TypeError("snapshots must be an array");

  const entries = snapshots.map((snapshot, index) => {
    if (snapshot === null || typeof snapshot !== "object") throw new TypeError(`snapshot #${index} is not an object`);
    if (typeof snapshot.id !== "string") throw new TypeError(`snapshot #${index}: id must be a string`);
    if (typeof snapshot.managed !== "boolean")
      throw new TypeError(`snapshot ${snapshot.id}: managed must be a boolean`);
    return { snapshot, index, ms: timeOf(snapshot.createdAt, `snapshot ${snapshot.id}: createdAt`) };
  });
  entries.sort((a, b) => {
    if (a.ms !== b.ms) return b.ms - a.ms;
    if (a.snapshot.id !== b.snapshot.id) return a.snapshot.id < b.snapshot.id ? 1 : -1;
    return a.index - b.index;
  });

  const hasRule = POLICY_FIELDS.some((field) => policy[field] !== undefined);
  let newestManagedSeen = false;
  let keepLastLeft = policy.keepLast ?? 0;
  const ageLimitMs = policy.maxAgeDays === undefined ? undefined : policy.maxAgeDays * DAY_MS;
  const buckets = BUCKET_RULES.filter(([field]) => policy[field] !== undefined).map(([field, bucketOf]) => ({
    field,
    left: policy[field] ?? 0,
    last: undefined as number | undefined,
    bucketOf,
  }));

  return entries.map(({ snapshot, ms }) => {
    const keptBy: RetentionRule[] = [];
    const passedOverBy: { rule: RetentionRule; why: string }[] = [];
    if (!snapshot.managed) return { snapshot, keptBy: ["unmanaged"], passedOverBy };
    if (!hasRule) return { snapshot, keptBy: ["no rule set"], passedOverBy };
    // The newest managed snapshot is kept unconditionally, and still uses up a slot of every rule below.
    if (!newestManagedSeen) {
      newestManagedSeen = true;
      keptBy.push("newest");
    }
    if (keepLastLeft > 0) {
      keepLastLeft--;
      keptBy.push("keepLast");
    } else if (policy.keepLast !== undefined) {
      if (withReasons) passedOverBy.push({ rule: "keepLast", why: `not among the ${policy.keepLast} newest` });
    }
    if (ageLimitMs !== undefined) {
      if (nowMs - ms < ageLimitMs) keptBy.push("maxAgeDays");
      else if (withReasons) passedOverBy.push({ rule: "maxAgeDays", why: `${policy.maxAgeDays} days old or older` });
    }
    // Walking newest first, the first snapshot seen in a bucket is that bucket's newest.
    for (const bucket of buckets) {
      const id = bucket.bucketOf(ms);
      if (id === bucket.last || bucket.left === 0) {
        if (withReasons) passedOverBy.push({ rule: bucket.field, why: passedOverBucket(bucket, id, policy) });
      } else {
        bucket.last = id;
        bucket.left--;
        keptBy.push(bucket.field);
      }
    }
    return { snapshot, keptBy, passedOverBy };
  });
}

/**
 * Splits snapshots into those the policy keeps and those it would delete.
 *
 * Rules count managed snapshots only; unmanaged ones are always kept and never occupy a slot. The newest
 * managed snapshot is always kept. A policy with no rule set keeps everything (a forgotten policy must not
 * empty the account); a rule set to 0 is explicit and keeps nothing by itself.
 * Ties on createdAt are broken by id (greater id counts as newer), then by input order, so the result does
 * not depend on the order the inventory was listed in.
 */
export function planRetention<T extends RetentionSnapshot>(
  snapshots: readonly T[],
  policy: RetentionPolicy,
  now: Date,
): RetentionPlan<T> {
  const plan: RetentionPlan<T> = { keep: [], delete: [] };
  for (const { snapshot, keptBy } of decide(snapshots, policy, now, false)) {
    (keptBy.length > 0 ? plan.keep : plan.delete).push(snapshot);
  }
  return plan;
}
