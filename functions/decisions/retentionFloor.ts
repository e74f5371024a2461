// The destination owns retention (issue 11). What a source says (its lifecycle tag) may only lengthen the
// destination's own policy, and a floor from the destination's config is added to whatever applies. Pure.
//
// Why a per-field maximum is safe: a policy keeps the union of what its rules keep, and each rule keeps more as
// its number grows, so the field-wise maximum of two policies keeps at least what either keeps.
import { RETENTION_PRESETS, type RetentionPolicy, type RetentionPresetName } from "./retentionPolicy";

/** The destination's minimum retention: the newest `copies` copies and every copy younger than `days` days. */
export interface RetentionFloor {
  copies: number;
  days: number;
}

const FIELDS = ["keepLast", "maxAgeDays", "daily", "weekly", "monthly", "yearly"] as const;

/** A policy without any rule keeps everything (functions/decisions/retentionPolicy.ts). */
export function keepsEverything(policy: RetentionPolicy): boolean {
  return FIELDS.every((field) => policy[field] === undefined);
}

/** A policy that keeps at least what each of `a` and `b` keeps. */
export function unionPolicies(a: RetentionPolicy, b: RetentionPolicy): RetentionPolicy {
  if (keepsEverything(a) || keepsEverything(b)) return {};
  const out: RetentionPolicy = {};
  for (const field of FIELDS) {
    const values = [a[field], b[field]].filter((v): v is number => v !== undefined);
    if (values.length > 0) out[field] = Math.max(...values);
  }
  return out;
}

/** The policy with the floor added: it keeps the floor's copies whatever else it says. */
export function withFloor(policy: RetentionPolicy, floor: RetentionFloor): RetentionPolicy {
  return unionPolicies(policy, { keepLast: floor.copies, maxAgeDays: floor.days });
}

/** The preset a lifecycle value names, compared without case (`test`, `STANDARD`), or undefined. */
export function presetNamed(value: string): RetentionPresetName | undefined {
  return (Object.keys(RETENTION_PRESETS) as RetentionPresetName[]).find(
    (name) => name.toLowerCase() === value.trim().toLowerCase(),
  );
}
