// Figure 9: a backlog of 1,000 databases announcing at once to one destination account and region, with copies
// of hours (RDS durations cannot happen on the emulator: simulated, seeded). The admission runs as deployed:
// every check of a waiting copy calls functions/decisions/admission.ts's `admit` with the queue's tickets and the
// copies RDS would report in progress, and the copy asks again after the wait it returned. Against it, the
// previous design: a refused start retried by Step Functions with the CopyLimitReached policy it had (full
// jitter), abandoned after its last attempt.
import { ADMISSION, admit, type Ticket } from "../../functions/decisions/admission";
import { COPY_CONCURRENCY, type Kind } from "../../functions/decisions/errors";
import { seededRandom } from "./pollSimulation";

/** The retry policy copies refused by the limit had before admission (removed from functions/decisions/errors.ts). */
export const PREVIOUS_COPY_LIMIT_RETRY = {
  IntervalSeconds: 300,
  MaxAttempts: 60,
  BackoffRate: 1.5,
  MaxDelaySeconds: 1800,
};

export interface BacklogCopy {
  id: string;
  kind: Kind;
  durationSeconds: number;
}

export interface BacklogOptions {
  instances: number;
  clusters: number;
  seed: number;
  /** Instance copies take 2-12 h, uniformly; cluster copies 3 h. */
  instanceHours: [number, number];
  clusterHours: number;
}

export const DEFAULT_BACKLOG: BacklogOptions = {
  instances: 800,
  clusters: 200,
  seed: 7,
  instanceHours: [2, 12],
  clusterHours: 3,
};

export function backlogCopies(options: BacklogOptions): BacklogCopy[] {
  const random = seededRandom(options.seed);
  const [low, high] = options.instanceHours;
  const copies: BacklogCopy[] = [];
  for (let i = 0; i < Math.max(options.instances, options.clusters); i++) {
    if (i < options.instances)
      copies.push({
        id: `db-${i}`,
        kind: "instance",
        durationSeconds: Math.round((low + random() * (high - low)) * 3600),
      });
    if (i < options.clusters)
      copies.push({ id: `aurora-${i}`, kind: "cluster", durationSeconds: options.clusterHours * 3600 });
  }
  return copies;
}

/** No schedule beats the slots: per kind, the copy time over the limit, or the longest copy. */
export function lowerBoundSeconds(copies: readonly BacklogCopy[], kind: Kind): number {
  const durations = copies.filter((c) => c.kind === kind).map((c) => c.durationSeconds);
  if (durations.length === 0) return 0;
  return Math.max(durations.reduce((a, b) => a + b, 0) / COPY_CONCURRENCY[kind], ...durations);
}

export interface BacklogOutcome {
  policy: "admission" | "previous retry policy";
  finished: number;
  lost: number;
  peak: Record<Kind, number>;
  /** Per kind: the last copy's end, seconds after the backlog arrived. */
  makespanSeconds: Record<Kind, number>;
  /** The most checks (state machine turns) one copy spent waiting. */
  maxWaitTurns: number;
  totalWaitTurns: number;
}

interface Run {
  copy: BacklogCopy;
  arrivedAt: number;
  nextCheck: number;
  startedAt?: number;
  endsAt?: number;
  lost?: boolean;
  turns: number;
  ticket?: Ticket;
}

type Decide = (run: Run, now: number, running: Record<Kind, number>, queue: Run[]) => number | "start" | "lose";

/** Time moves in steps of `stepSeconds`; at each step the due checks run one at a time, in order of arrival. */
function simulate(copies: readonly BacklogCopy[], decide: Decide, stepSeconds = 30) {
  const runs: Run[] = copies.map((copy, i) => ({ copy, arrivedAt: i * 0.05, nextCheck: i * 0.05, turns: 0 }));
  const peak: Record<Kind, number> = { instance: 0, cluster: 0 };
  for (let now = 0; runs.some((r) => r.startedAt === undefined && !r.lost); now += stepSeconds) {
    const running: Record<Kind, number> = { instance: 0, cluster: 0 };
    for (const r of runs) if (r.endsAt !== undefined && r.endsAt > now) running[r.copy.kind] += 1;
    const waiting = runs.filter((r) => r.startedAt === undefined && !r.lost);
    for (const run of waiting.filter((r) => r.nextCheck <= now)) {
      const decision = decide(run, now, running, waiting);
      if (decision === "start") {
        run.startedAt = now;
        run.endsAt = now + run.copy.durationSeconds;
        running[run.copy.kind] += 1;
      } else if (decision === "lose") {
        run.lost = true;
      } else {
        run.turns += 1;
        run.nextCheck = now + decision;
      }
    }
    peak.instance = Math.max(peak.instance, running.instance);
    peak.cluster = Math.max(peak.cluster, running.cluster);
  }
  return { runs, peak };
}

function outcome(policy: BacklogOutcome["policy"], runs: Run[], peak: Record<Kind, number>): BacklogOutcome {
  const done = runs.filter((r) => r.endsAt !== undefined);
  const makespan = (kind: Kind) => Math.max(0, ...done.filter((r) => r.copy.kind === kind).map((r) => r.endsAt!));
  return {
    policy,
    finished: done.length,
    lost: runs.filter((r) => r.lost).length,
    peak,
    makespanSeconds: { instance: makespan("instance"), cluster: makespan("cluster") },
    maxWaitTurns: Math.max(0, ...runs.map((r) => r.turns)),
    totalWaitTurns: runs.reduce((n, r) => n + r.turns, 0),
  };
}

/** Every copy through functions/decisions/admission.ts, as the copy steps run it. */
export function admissionBacklog(copies: readonly BacklogCopy[]): BacklogOutcome {
  const { runs, peak } = simulate(copies, (run, now, running, waiting) => {
    const kind = run.copy.kind;
    const me = run.ticket ?? { id: run.copy.id, arrivedAt: run.arrivedAt, seenAt: now };
    const queue = waiting.filter((r) => r.copy.kind === kind && r.ticket).map((r) => r.ticket!);
    const decision = admit(me, queue, running[kind], COPY_CONCURRENCY[kind], now);
    if (decision.action === "start") return "start";
    if (decision.action === "expire") return "lose";
    run.ticket = decision.ticket;
    return decision.waitSeconds;
  });
  return outcome("admission", runs, peak);
}

/** The previous design: count, refuse with CopyLimitReached, retry with full jitter until the attempts run out. */
export function previousRetryBacklog(copies: readonly BacklogCopy[], seed = 11): BacklogOutcome {
  const random = seededRandom(seed);
  const p = PREVIOUS_COPY_LIMIT_RETRY;
  const { runs, peak } = simulate(copies, (run, _now, running) => {
    const kind = run.copy.kind;
    if (running[kind] < COPY_CONCURRENCY[kind]) return "start";
    if (run.turns >= p.MaxAttempts) return "lose";
    const ceiling = Math.min(p.IntervalSeconds * p.BackoffRate ** run.turns, p.MaxDelaySeconds);
    return Math.max(1, random() * ceiling);
  });
  return outcome("previous retry policy", runs, peak);
}

export function backlogFigure(options: BacklogOptions = DEFAULT_BACKLOG) {
  const copies = backlogCopies(options);
  return {
    method:
      "simulation in 30 s steps; the copy steps' admission (functions/decisions/admission.ts) or the previous retry policy",
    options,
    limits: COPY_CONCURRENCY,
    maxAgeSeconds: ADMISSION.maxAgeSeconds,
    turnBudget: ADMISSION.turnBudget,
    lowerBoundSeconds: {
      instance: lowerBoundSeconds(copies, "instance"),
      cluster: lowerBoundSeconds(copies, "cluster"),
    },
    admission: admissionBacklog(copies),
    previous: previousRetryBacklog(copies),
  };
}
