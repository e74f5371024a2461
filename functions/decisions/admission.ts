// Admission of snapshot copies: a copy waits for a free slot as long as it needs to, in order of arrival per
// account, region and kind, instead of retrying against a budget that a long backlog exhausts. Pure: the
// queue (functions/aws/admissionQueue.ts) and RDS's count of copies in progress are read by the caller.
//
// Slots are never held by the queue: the copies in progress are counted from what RDS reports at each
// decision, so a run that dies after it was admitted (or after it started its copy) cannot leak a slot. Its
// ticket stays until it starts the copy and leaves; a ticket nobody renews goes stale and is skipped.
//
// A waiting copy is a state machine loop (Copy -> Choice -> Wait -> Copy), 9 history events a turn, so the
// waits are as long as the queue allows: a quarter of the time the queue's observed pace needs to bring the
// copy to the head (at least a short copy per place over the slots), backing off while the place does not move, and
// paced so a copy never takes more than ADMISSION.turnBudget turns over its whole maximum age.
import type { Kind } from "./errors";

export interface Ticket {
  /** The copy's deterministic target id: one ticket per copy, whatever the retries. */
  id: string;
  /** Epoch seconds (to the millisecond) of the first request, kept on every renewal: the queue order, the age. */
  arrivedAt: number;
  /** Epoch seconds of the latest renewal: a waiting run renews its ticket at every check. */
  seenAt: number;
  /** Of the latest check: its place behind the free slots (1 = next), since when, and checks so far. */
  place?: number;
  placeSince?: number;
  turns?: number;
}

export const ADMISSION = {
  /**
   * A copy not admitted after 14 days fails loudly (notified) instead of waiting for ever. A backlog of
   * 1,000 databases of 2-12 h copies in one account and region needs about 12 days at 20 copies at a time.
   */
  maxAgeSeconds: 14 * 24 * 3600,
  minWaitSeconds: 60,
  /** Far down the queue: checks at most this far apart. */
  maxWaitSeconds: 6 * 3600,
  /** While the place does not move: a sixteenth of the time it has not, at most this. */
  maxStuckWaitSeconds: 3600,
  /** The shortest copy assumed when estimating how fast places clear (one slot frees per this / limit). */
  shortCopySeconds: 600,
  /** At most this many checks (state machine turns) per copy over its maximum age. */
  turnBudget: 400,
  /**
   * A ticket not renewed for this long belongs to a run that is gone (failed, stopped): skipped, so a dead
   * run blocks its place for at most this long. Longer than any wait plus the Task retries.
   */
  staleAfterSeconds: 6 * 3600 + 1800,
} as const;

export type AdmissionDecision =
  | { action: "start"; ahead: number; free: number }
  | { action: "wait"; ahead: number; free: number; waitSeconds: number; ticket: Ticket }
  | { action: "expire"; ageSeconds: number };

/** The queue a copy waits in: RDS's limits are per account, region and kind of snapshot. */
export function queueKey(place: { account: string; region: string }, kind: Kind): string {
  return `${place.account}/${place.region}/${kind}`;
}

const byArrival = (a: Ticket, b: Ticket) => a.arrivedAt - b.arrivedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The next check of a copy now at `place` behind the free slots; `me` is its ticket as of its previous check.
 * When the place moved forward since, the queue's pace is known: a quarter of the time that pace needs to bring
 * the copy to the head (so checks close in on its turn geometrically, and rarely sleep through it). When it did
 * not, a sixteenth of the time it has not moved. Never sooner than a short copy per place over the slots, nor
 * than a minute.
 */
export function admissionWait(me: Ticket, place: number, placeSince: number, limit: number, nowSeconds: number) {
  const byPlace = Math.ceil((place * ADMISSION.shortCopySeconds) / limit);
  const elapsed = nowSeconds - me.seenAt;
  const movedBy = me.place === undefined ? 0 : me.place - place;
  const byPace =
    movedBy > 0 && elapsed > 0
      ? (place - 1) / (movedBy / elapsed) / 4
      : Math.min(ADMISSION.maxStuckWaitSeconds, (nowSeconds - placeSince) / 16);
  let wait = Math.min(ADMISSION.maxWaitSeconds, Math.ceil(Math.max(ADMISSION.minWaitSeconds, byPlace, byPace)));
  // The second half of the budget is paced over the age left: the last check comes at the maximum age.
  const turns = me.turns ?? 0;
  if (turns >= ADMISSION.turnBudget / 2) {
    const left = ADMISSION.maxAgeSeconds - (nowSeconds - me.arrivedAt);
    wait = Math.max(wait, Math.ceil(left / Math.max(1, ADMISSION.turnBudget - turns)));
  }
  return wait;
}

/**
 * Whether `me` may start its copy now: the live tickets that arrived before it, plus the copies RDS reports
 * in progress, must leave a slot. `queue` holds the tickets of its queue (`me` included or not); `me` is its
 * own ticket as last stored (a new one: arrivedAt = seenAt = now).
 */
export function admit(
  me: Ticket,
  queue: readonly Ticket[],
  copiesInProgress: number,
  limit: number,
  nowSeconds: number,
): AdmissionDecision {
  const ageSeconds = nowSeconds - me.arrivedAt;
  const live = queue.filter((t) => t.id !== me.id && nowSeconds - t.seenAt <= ADMISSION.staleAfterSeconds);
  // A copy not queued yet arrives behind every queued one, whatever the clock says.
  const queued = queue.some((t) => t.id === me.id);
  const ahead = queued ? live.filter((t) => byArrival(t, me) < 0).length : live.length;
  const free = Math.max(0, limit - copiesInProgress);
  if (ahead < free) return { action: "start", ahead, free };
  if (ageSeconds > ADMISSION.maxAgeSeconds) return { action: "expire", ageSeconds };
  const place = ahead - free + 1;
  // Only moving forward counts as moving: a place that comes and goes (other tools' copies) still backs off.
  const moved = me.place === undefined || place < me.place;
  const placeSince = moved ? nowSeconds : (me.placeSince ?? nowSeconds);
  const waitSeconds = admissionWait(me, place, placeSince, limit, nowSeconds);
  const ticket: Ticket = { ...me, seenAt: nowSeconds, place, placeSince, turns: (me.turns ?? 0) + 1 };
  return { action: "wait", ahead, free, waitSeconds, ticket };
}
