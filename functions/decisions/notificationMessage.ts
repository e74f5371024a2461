// What a success or failure notification says: what was replicated, where, how long it took, and why it
// failed. Pure: built from the state machine's state, published by functions/steps/notify.ts.

export interface StepError {
  Error: string;
  Cause?: string;
}

export interface NotifyEvent {
  side: "producer" | "consumer";
  outcome: "succeeded" | "failed";
  execution?: string;
  startedAt?: string;
  /** The state machine state at that point (producer: the work item + steps; consumer: announcement + steps). */
  state: Record<string, unknown>;
}

export interface Notification {
  subject: string;
  outcome: "succeeded" | "failed" | "partially failed";
  side: "producer" | "consumer";
  what: string[];
  where: string[];
  durationSeconds?: number;
  failures: { item: string; error: string; cause: string }[];
  /** What each deleting step deleted, or in a dry run would have deleted, so a dry run can be reviewed. */
  deletions: DeletionReport[];
  /** Source databases whose lifecycle is `Ignore`, with the tag that says so: not copied, not a failure. */
  ignored?: string[];
  /** Copies retention marked for deletion in this run, with when each may go (the cooling-off). */
  marked?: { scope: string; dryRun: boolean; copies: { id: string; due: string }[] }[];
  execution?: string;
  summary: string;
}

export interface DeletionReport {
  /** e.g. "retention (Draco_Lifecycle=Test) in 222222222222/eu-central-1". */
  scope: string;
  dryRun: boolean;
  /** Deleted, or in a dry run the ones that would be deleted. */
  ids: string[];
}

/** The shape the prune, retention and cleanup steps return about their deletions. */
interface DeletionPlan {
  delete?: string[];
  toDelete?: string[];
  deleted?: string[];
  dryRun?: boolean;
}

function deletionReport(scope: string, plan: DeletionPlan | undefined): DeletionReport[] {
  if (!plan) return [];
  const ids = plan.dryRun ? (plan.delete ?? plan.toDelete ?? []) : (plan.deleted ?? []);
  return ids.length > 0 ? [{ scope, dryRun: plan.dryRun === true, ids }] : [];
}

function deletionLine(d: DeletionReport): string {
  return `\n${d.scope}: ${d.dryRun ? "dry run, would delete" : "deleted"} ${d.ids.join(", ")}`;
}

function markLine(m: NonNullable<Notification["marked"]>[number]): string {
  const copies = m.copies.map((c) => `${c.id} (after ${c.due})`).join(", ");
  return `\n${m.scope}: ${m.dryRun ? "dry run, would mark" : "marked"} for deletion ${copies}`;
}

/** Lambda errors reach Step Functions with Cause = JSON {errorMessage, errorType}; local runs give the text. */
export function causeText(cause: string | undefined): string {
  if (!cause) return "";
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    return parsed.errorMessage ?? cause;
  } catch {
    return cause;
  }
}

interface ProducerItem {
  database?: string;
  kind?: string;
  source?: { arn?: string; id?: string };
  transits?: {
    region?: string;
    accounts?: string[];
    snapshot?: { arn?: string };
    announcement?: { encrypted?: boolean };
    error?: StepError;
  }[];
  pruned?: (DeletionPlan & { region?: string })[];
  error?: StepError;
}

function producerParts(state: Record<string, unknown>) {
  // A per-database run's state is its work item (with its source snapshot); a dispatch's is the trigger, which
  // may name a database too (a manual start) but has no source.
  const items = (state.source ? [state] : []) as ProducerItem[];
  const what: string[] = [];
  const where: string[] = [];
  const failures: Notification["failures"] = [];
  const deletions: DeletionReport[] = [];
  for (const item of items) {
    const unencrypted = (item.transits ?? []).some((t) => t.announcement?.encrypted === false);
    const label =
      `${item.kind ?? "instance"} ${item.database ?? "?"}: ${item.source?.arn ?? item.source?.id ?? "new snapshot"}` +
      (unencrypted ? " (UNENCRYPTED: replicated without encryption)" : "");
    what.push(label);
    for (const t of item.transits ?? []) {
      for (const account of t.accounts ?? []) where.push(`${account}/${t.region} via ${t.snapshot?.arn ?? "?"}`);
      if (t.error) {
        failures.push({ item: `${label} -> ${t.region}`, error: t.error.Error, cause: causeText(t.error.Cause) });
      }
    }
    for (const p of item.pruned ?? [])
      deletions.push(...deletionReport(`transit prune of ${item.database} in ${p.region}`, p));
    if (item.error) failures.push({ item: label, error: item.error.Error, cause: causeText(item.error.Cause) });
  }
  // Refused at planning time (a dispatch's state): nothing was copied for them, and the reason says what to do.
  const dispatched = (state.dispatched ?? {}) as {
    planned?: number;
    refused?: { database?: string; kind?: string; error?: string; reason?: string }[];
    refusedCount?: number;
  };
  const refused = dispatched.refused ?? [];
  for (const r of refused) {
    failures.push({
      item: `${r.kind ?? "?"} ${r.database ?? "?"}`,
      error: r.error ?? "Refused",
      cause: r.reason ?? "",
    });
  }
  const unlisted = (dispatched.refusedCount ?? 0) - refused.length;
  if (unlisted > 0) {
    failures.push({ item: `${unlisted} more databases`, error: "Refused", cause: "listed in the plan step's log" });
  }
  const error = state.error as StepError | undefined;
  if (error) failures.push({ item: "producer run", error: error.Error, cause: causeText(error.Cause) });
  // A run is partial when some of its destination regions (or, for a dispatch, databases) failed and others did not.
  const regions = items.reduce((n, item) => n + (item.transits?.length ?? 0), 0);
  const databases = (dispatched.planned ?? 0) + (dispatched.refusedCount ?? 0);
  const marked: NonNullable<Notification["marked"]> = [];
  return { what, where, failures, deletions, marked, total: Math.max(items.length, regions) + databases };
}

function consumerParts(state: Record<string, unknown>) {
  const a = (state.announcement ?? {}) as Record<string, string>;
  const copy = (state.copy ?? {}) as { snapshot?: { arn?: string } };
  const restored = (state.restore ?? {}) as { restored?: { id?: string }; skipped?: string };
  const unencrypted = (state.announcement as { encrypted?: boolean } | undefined)?.encrypted === false;
  const what = [
    `${a.kind ?? "?"} snapshot ${a.snapshotArn ?? "?"} of ${a.sourceAccount ?? "?"}/${a.sourceDatabase ?? "?"}` +
      (unencrypted ? " (UNENCRYPTED: replicated without encryption)" : ""),
  ];
  const where = [`${a.destinationAccount ?? "?"}/${a.destinationRegion ?? "?"}: ${copy.snapshot?.arn ?? "(no copy)"}`];
  if (restored.restored?.id) where.push(`restored as ${restored.restored.id}`);
  if (restored.skipped) where.push(`not restored: ${restored.skipped}`);
  const error = state.error as StepError | undefined;
  const failures = error ? [{ item: what[0] ?? "run", error: error.Error, cause: causeText(error.Cause) }] : [];
  const here = `${a.destinationAccount ?? "?"}/${a.destinationRegion ?? "?"}`;
  const retention = state.retention as
    | (DeletionPlan & { policy?: string; marked?: { id: string; due: string }[] })
    | undefined;
  const marked: NonNullable<Notification["marked"]> = retention?.marked?.length
    ? [
        {
          scope: `retention (${retention.policy ?? "?"}) in ${here}`,
          dryRun: retention.dryRun === true,
          copies: retention.marked,
        },
      ]
    : [];
  const deletions = [
    ...deletionReport(`restored databases in ${here}`, state.cleanup as DeletionPlan | undefined),
    ...deletionReport(`retention (${retention?.policy ?? "?"}) in ${here}`, retention),
    ...deletionReport(`failed copy in ${here}`, state.discard as DeletionPlan | undefined),
  ];
  return { what, where, failures, deletions, marked, total: 1 };
}

/**
 * The report of an announcement this account ignores (the source database's lifecycle is `Ignore`): one per
 * announced snapshot, the consumer's unit of a run, and a success, since nothing was meant to be copied.
 */
export function ignoredNotification(
  a: { kind: string; snapshotArn: string; sourceAccount: string; sourceDatabase: string },
  reason: string,
  here: { account: string; region: string },
): Notification {
  const what = `${a.kind} snapshot ${a.snapshotArn} of ${a.sourceAccount}/${a.sourceDatabase}`;
  return {
    subject: `rds-replication consumer ignored ${a.sourceDatabase}`.slice(0, 100),
    outcome: "succeeded",
    side: "consumer",
    what: [what],
    where: [`${here.account}/${here.region}: (no copy)`],
    failures: [],
    deletions: [],
    ignored: [`${a.sourceDatabase} (${reason})`],
    summary: `rds-replication consumer ignored ${a.sourceDatabase} (${reason}): ${what} is not replicated to ${here.account}/${here.region}, nothing copied`,
  };
}

export function buildNotification(event: NotifyEvent, now: Date): Notification {
  const parts = event.side === "producer" ? producerParts(event.state) : consumerParts(event.state);
  const durationSeconds = event.startedAt
    ? Math.max(0, Math.round((now.getTime() - Date.parse(event.startedAt)) / 1000))
    : undefined;
  const failed = event.outcome === "failed" || parts.failures.length > 0;
  const outcome = !failed ? "succeeded" : parts.failures.length < parts.total ? "partially failed" : "failed";
  const took = durationSeconds === undefined ? "" : ` in ${durationSeconds} s`;
  const summary =
    `rds-replication ${event.side} ${outcome}${took}: ${parts.what.join("; ") || "nothing to do"}` +
    (parts.where.length ? ` -> ${parts.where.join("; ")}` : "") +
    parts.failures.map((f) => `\n${f.error}: ${f.cause}`).join("") +
    parts.deletions.map(deletionLine).join("") +
    parts.marked.map(markLine).join("");
  return {
    subject: `rds-replication ${event.side} ${outcome}`.slice(0, 100),
    outcome,
    side: event.side,
    what: parts.what,
    where: parts.where,
    durationSeconds,
    failures: parts.failures,
    deletions: parts.deletions,
    ...(parts.marked.length > 0 ? { marked: parts.marked } : {}),
    execution: event.execution,
    summary,
  };
}
