// Figure 9's targets, table and notes (issue 13): the backlog of scripts/bench/backlog.ts, admission against the
// previous retry policy.
import type { backlogFigure } from "./backlog";
import { check, type FigureResult } from "./report";

const hours = (seconds: number) => Math.round((seconds / 3600) * 10) / 10;

export function figure9(data: ReturnType<typeof backlogFigure>): Omit<FigureResult, "seconds"> {
  const { admission: a, previous: p, lowerBoundSeconds: lb, options } = data;
  const over = (kind: "instance" | "cluster") => a.makespanSeconds[kind] / lb[kind] - 1;
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  const total = options.instances + options.clusters;
  const row = (o: typeof a) => [
    o.policy,
    o.finished,
    o.lost,
    `${o.peak.instance} / ${o.peak.cluster}`,
    hours(o.makespanSeconds.instance),
    hours(o.makespanSeconds.cluster),
    o.maxWaitTurns,
    o.totalWaitTurns,
  ];
  return {
    figure: 9,
    title: `Backlog: ${total} databases (${options.instances} instance copies of ${options.instanceHours.join("-")} h, ${options.clusters} cluster copies of ${options.clusterHours} h) to one account and region`,
    method: data.method,
    checks: [
      check("0 runs lost", `${a.lost} lost (previous design: ${p.lost})`, a.lost === 0 && a.finished === total),
      check(
        `peak <= ${data.limits.instance} / ${data.limits.cluster}`,
        `${a.peak.instance} / ${a.peak.cluster}`,
        a.peak.instance <= data.limits.instance && a.peak.cluster <= data.limits.cluster,
      ),
      check(
        "makespan within 5 % of the lower bound",
        `instances +${pct(over("instance"))}, clusters +${pct(over("cluster"))}`,
        over("instance") <= 0.05 && over("cluster") <= 0.05,
      ),
      check(
        `checks per copy <= ${data.turnBudget} (history budget)`,
        `${a.maxWaitTurns}`,
        a.maxWaitTurns <= data.turnBudget,
      ),
    ],
    tables: [
      {
        headers: [
          "design",
          "finished",
          "lost",
          "peak inst / cl",
          "makespan inst h",
          "makespan cl h",
          "max checks of a copy",
          "checks in all",
        ],
        rows: [row(a), row(p), ["lower bound", "", "", "", hours(lb.instance), hours(lb.cluster), "", ""]],
      },
    ],
    notes: [
      "All copies arrive within the first minute. Lower bound per kind: the copy time over the limit, or the longest copy.",
      `Admission: a copy that finds no slot waits (functions/decisions/admission.ts), at most ${hours(data.maxAgeSeconds)} h; each check is a state machine turn (9 history events).`,
      "Previous design: CopyLimitReached retried 60 times, 300 s x 1.5^n up to 1800 s, full jitter (about 14 h on average), then the run failed; the copies it started are the ones that finished.",
    ],
    data,
  };
}
