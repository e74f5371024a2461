// One row per copy for the demo's retention plan: the consumer's decision (from its retention step's result)
// joined with the rule behind it (functions/decisions/retentionPolicy.ts explainRetention) and the deletion guard's reason
// when it spared a copy retention would drop. Pure, shared by the text table and the HTML calendar.

import type { RetentionExplanation, RetentionRule, RetentionSnapshot } from "../../functions/decisions/retentionPolicy";
import type { RetentionResult } from "../../functions/steps/consumer/retention";

/** A retention rule, or the guard rule that spared a copy retention would drop. */
export type KeepingRule = RetentionRule | "held" | "protected" | "newest available" | "not available" | "cap";

export interface RetentionRow {
  id: string;
  /** When the source took the data (the age retention counts from), ISO 8601. */
  createdAt: string;
  decision: "keep" | "would delete" | "deleted";
  /** The rules that keep it; empty for a copy that goes. */
  keptBy: KeepingRule[];
  /** Why, one line per rule: what kept it, or what each rule said against it. */
  why: string[];
}

const GUARD_RULES: [RegExp, KeepingRule][] = [
  [/^held by tag/, "held"],
  [/^protected/, "protected"],
  [/^newest available/, "newest available"],
  [/^status is/, "not available"],
  [/^cap reached/, "cap"],
];

/** The guard's reasons ("a; b") as rules. */
export function guardRules(reason: string): KeepingRule[] {
  return reason
    .split("; ")
    .flatMap((part) => GUARD_RULES.filter(([pattern]) => pattern.test(part)).map(([, rule]) => rule));
}

export function retentionRows(
  result: RetentionResult,
  explained: readonly RetentionExplanation<RetentionSnapshot>[],
): RetentionRow[] {
  const byId = new Map(explained.map((e) => [e.snapshot.id, e]));
  const spared = new Map(result.skipped.map((s) => [s.id, s.reason]));
  const deleted = new Set(result.deleted);
  const row = (id: string, going: boolean): RetentionRow => {
    const e = byId.get(id);
    const createdAt = e?.snapshot.createdAt.toISOString() ?? "";
    const against = (e?.passedOverBy ?? []).map((p) => `${p.rule}: ${p.why}`);
    if (going) {
      const decision = deleted.has(id) ? "deleted" : "would delete";
      const dry = result.dryRun ? ["dry run: deletionsEnabled is false"] : [];
      return { id, createdAt, decision, keptBy: [], why: [...against, ...dry] };
    }
    if (e && e.keptBy.length > 0) return { id, createdAt, decision: "keep", keptBy: e.keptBy, why: [] };
    const reason = spared.get(id);
    if (reason) {
      return { id, createdAt, decision: "keep", keptBy: guardRules(reason), why: [...against, `spared: ${reason}`] };
    }
    // Only when the copies changed between the consumer's run and this read.
    return { id, createdAt, decision: "keep", keptBy: [], why: ["not in the copies listed for the report"] };
  };
  return [...result.keep.map((id) => row(id, false)), ...result.delete.map((id) => row(id, true))];
}
