// Each figure's measurements turned into targets, tables and notes. Kept apart from the measuring so the
// verdicts are plain functions of numbers.
import type { archiveFigure } from "./archives";
import { PRICES } from "./cost";
import type { costFigure } from "./costRun";
import { ENGINE, type GroupStats, type latencyFigure } from "./latency";
import { DESTINATION_COUNTS, independentOfDatabases, type programFigure } from "./program";
import { check, type FigureResult, type Table } from "./report";
import type { retentionFigure } from "./retention";
import type { scaleFigure } from "./scale";
import { HISTORY_LIMIT_EVENTS, STATE_LIMIT_BYTES, type stepFunctionsFigure } from "./stepFunctionsLimits";
import type { testTimingFigure } from "./testTiming";

type Base = Omit<FigureResult, "seconds">;
const round = (n: number, digits = 0) => Number(n.toFixed(digits));

function latencyRows(groups: GroupStats[], label: string): Table {
  return {
    title: label,
    headers: [
      "policy",
      "group",
      "ops",
      "median s",
      "p95 s",
      "worst s",
      "median checks",
      "p95 checks",
      "worst checks",
      "median SM checks",
      "worst SM checks",
    ],
    rows: groups.map((g) => [
      g.policy,
      g.group,
      g.latency.count,
      round(g.latency.median),
      round(g.latency.p95),
      round(g.latency.worst),
      g.polls.median,
      g.polls.p95,
      g.polls.worst,
      g.stateMachineChecks.median,
      g.stateMachineChecks.worst,
    ]),
  };
}

export function figure1(data: ReturnType<typeof latencyFigure>): Base {
  const engine = data.overall.find((g) => g.policy === ENGINE.name)!;
  const engineOnly = (groups: GroupStats[]) => groups.filter((g) => g.policy === ENGINE.name);
  return {
    figure: 1,
    title: "Overhead latency per wait",
    method: `simulation: functions/decisions/pollSchedule.ts via scripts/bench/pollSimulation.ts on ${data.operations} seeded operations`,
    checks: [
      check("median detection latency <= 30 s", `${round(engine.latency.median)} s`, engine.latency.median <= 30),
      check("worst detection latency <= 60 s", `${round(engine.latency.worst)} s`, engine.latency.worst <= 60),
      check("no operation given up", `${engine.gaveUp} given up`, engine.gaveUp === 0),
    ],
    tables: [
      latencyRows(data.overall, "All operations, engine vs anchors (latency = completion -> the check that sees it)"),
      latencyRows(engineOnly(data.byKind), "Engine by operation kind"),
      latencyRows(engineOnly(data.byBand), "Engine by duration band (queue + work + tail)"),
      latencyRows(
        data.byBand.filter((g) => g.policy !== ENGINE.name),
        "Anchors by duration band",
      ),
    ],
    notes: [
      "Operations: 1 min to 6 h of work (log-uniform), noisy speed, slow or fast finish, queued at 0 % for up to 30 min in one case of three, up to 5 min at 100 % before 'available'; restores report no progress.",
      "Anchors check at request time and then every N s (DRACO 300 s, rds-snapshot-tool 15 min); the hourly cron starts at an evenly spread phase.",
      "Latency excludes Lambda and Step Functions overhead (tens of ms per check on AWS).",
      "checks = status checks (one RDS describe call each); SM checks = the ones that were a state machine turn (Wait -> check -> Choice, 3 transitions); the rest ran in the poll Lambda's near-end watch. Anchors: every check is an invocation.",
    ],
    data,
  };
}

// Issue 13's targets: dollars per replicated snapshot, by copy duration (seconds).
export const COST_TARGETS: Record<number, number> = { 600: 1.2e-3, 7200: 2e-3 };

type CostScenario = Awaited<ReturnType<typeof costFigure>>["scenarios"][number];

/** "checks (state machine checks)" of a polled wait, "registrar turns + event" of an awaited one. */
function perWaitCell(s: CostScenario): string {
  return (
    Object.values(s.perWait)
      .map((w) =>
        w.design === "event"
          ? `${w.registrarTurns} turn${w.registrarTurns === 1 ? "" : "s"} + event`
          : `${w.checks} (${w.stateMachineChecks})`,
      )
      .join(" + ") || "1+1+1"
  );
}

export function figure2(data: Awaited<ReturnType<typeof costFigure>>): Base {
  const eventDesign = data.scenarios.some((s) => s.design === "event");
  // The design the definitions deploy: the event rows once a copy wait is awaited by event, else the poll rows.
  const current = data.scenarios.filter((s) => s.seconds > 0 && s.design === (eventDesign ? "event" : "poll"));
  const longest = current.at(-1)!;
  const services = [...new Set(data.scenarios.flatMap((s) => Object.keys(s.totals.callsByService)))].sort();
  const operations = [...new Set(data.scenarios.flatMap((s) => Object.keys(s.totals.callsByOperation)))].sort();
  const perStep = new Map<string, { n: number; ms: number; calls: number }>();
  const measuredSteps = [
    ...data.measured.invocations.map((inv) => ({ inv, key: `${inv.side} ${inv.step}` })),
    ...(data.measured.eventDeliveries ?? []).map((inv) => ({
      inv,
      key: `${inv.side} ${inv.step} (event delivered apart)`,
    })),
  ];
  for (const { inv, key } of measuredSteps) {
    const s = perStep.get(key) ?? { n: 0, ms: 0, calls: 0 };
    perStep.set(key, { n: s.n + 1, ms: s.ms + inv.ms, calls: s.calls + inv.calls.length });
  }
  return {
    figure: 2,
    title: "Cost per replicated snapshot",
    method: `emulator (real state machines and serialized handlers, 2 accounts, 2 regions) + ${eventDesign ? "registrar fallback turns of figure 10's model and one measured copy-event handler call per copy" : "poll counts of figure 1"}`,
    checks: [
      ...current.map((s) =>
        check(
          `$ per replicated snapshot <= ${COST_TARGETS[s.seconds]?.toExponential(1)} (${s.label})`,
          s.totals.dollars.total.toExponential(2),
          s.totals.dollars.total <= (COST_TARGETS[s.seconds] ?? Number.POSITIVE_INFINITY),
        ),
      ),
      check(
        `state transitions < 60 (${longest.label}, both accounts)`,
        String(round(longest.totals.transitions)),
        longest.totals.transitions < 60,
      ),
      check(
        `AWS API calls < 100 (${longest.label}, both accounts)`,
        String(round(longest.totals.apiCalls)),
        longest.totals.apiCalls < 100,
      ),
      ...(data.unmeasured.length > 0
        ? [check("copy-event handler measured (event design rows)", data.unmeasured.join("; "), false)]
        : []),
    ],
    tables: [
      {
        title:
          "Per replicated snapshot (event-triggered, cross-region: transit copy and destination copy each take the stated time)",
        headers: [
          "scenario",
          "checks per wait: polled (SM checks) or registrar turns + event",
          "watch s",
          "transitions",
          "Lambda inv.",
          "GB-s",
          "API calls",
          ...services,
          "$ Step Fn",
          "$ Lambda",
          "$ SNS",
          "$ total",
        ],
        rows: data.scenarios.map((s) => [
          s.label,
          perWaitCell(s),
          round(Object.values(s.perWait).reduce((sum, p) => sum + (p.design === "poll" ? p.inlineSeconds : 0), 0)),
          round(s.totals.transitions),
          round(s.totals.lambdaInvocations),
          round(s.totals.gbSeconds, 3),
          round(s.totals.apiCalls),
          ...services.map((svc) => round(s.totals.callsByService[svc] ?? 0)),
          s.totals.dollars.stepFunctions.toExponential(2),
          s.totals.dollars.lambda.toExponential(2),
          s.totals.dollars.sns.toExponential(2),
          s.totals.dollars.total.toExponential(2),
        ]),
      },
      {
        title: "API calls by operation",
        headers: ["operation", ...data.scenarios.map((s) => s.label)],
        rows: operations.map((op) => [op, ...data.scenarios.map((s) => round(s.totals.callsByOperation[op] ?? 0))]),
      },
      {
        title: "Measured on the emulator, per step",
        headers: ["side step", "invocations", "mean ms", "API calls"],
        rows: [...perStep.entries()].map(([k, s]) => [k, s.n, round(s.ms / s.n, 1), s.calls]),
      },
      {
        title: "Comparison",
        headers: ["tool", "$ per replicated snapshot", "target", "basis"],
        rows: [
          ...data.scenarios
            .slice(1)
            .map((s) => [
              `rds-replication, ${s.label}`,
              s.totals.dollars.total.toExponential(2),
              COST_TARGETS[s.seconds]?.toExponential(1) ?? "",
              s.design === "event" ? "measured + fallback turns + event handler" : "measured + poll schedule",
            ]),
          ["DRACO (published)", data.draco.perSnapshotDollars.toExponential(2), "", data.draco.source],
          ...[...new Set(data.scenarios.slice(1).map((s) => s.seconds))].map((seconds) => {
            // Our arithmetic on DRACO's published figures: one wait4copy per side, polling every 300 s.
            const transitions = 2 * Math.ceil(seconds / 300) * data.draco.transitionsPerPollIteration;
            return [
              `DRACO model, ${data.scenarios.find((s) => s.seconds === seconds)!.label}`,
              (transitions * PRICES.stateTransition).toExponential(2),
              "",
              `${transitions} transitions (2 waits x ceil(t / 300 s) x ${data.draco.transitionsPerPollIteration}); Step Functions only, our arithmetic`,
            ];
          }),
        ],
      },
    ],
    notes: [
      `Emulator run: producer ${data.measured.transitions.producer} + consumer ${data.measured.transitions.consumer} transitions (StateEntered + StateRetried events); each extra check repeats that poll step's average API calls and time; each extra state machine (SM) check also adds ${data.loopTransitions} transitions (Wait -> Check -> Choice, read from the definition) and one poll Lambda; checks in the poll Lambda's near-end watch add its sleep ("watch s") at the poll step's memory to GB-s.`,
      eventDesign
        ? `Event design (a copy wait whose registrar is a waitForTaskToken Task in the definitions; await loops read from them: ${Object.entries(
            data.awaitLoops,
          )
            .map(([step, n]) => `${step} ${n} transition${n === 1 ? "" : "s"} per fallback turn`)
            .join(
              ", ",
            )}): registrar turns = 1 + the fallback timeouts (FALLBACK_CHECK_SECONDS) that expire before a steadily progressing copy ends; each extra turn repeats the measured registrar invocation (calls, time) and the await loop's transitions; each copy adds one copy-event handler invocation, measured by delivering a copy-finished event (RDS-EVENT-0060 / 0197) for the run's copy after the run. The "previous design: polling" rows price the same run with each registrar invocation replaced by a measured poll check and the poll loop's first pass.`
        : "The definitions await no copy by event (no waitForTaskToken Task of a registrar step): every wait is polled. Once they do, the event design's rows are added and these become the previous design's rows.",
      "API calls: every AWS SDK call the handlers make (RDS, SNS, Step Functions, Secrets Manager, DynamoDB); STS calls of the test harness excluded. RDS's own KMS requests for the copies are not visible on the emulator and not counted (a few per copy, $0.03 per 10k). EventBridge does not charge for AWS service events delivered to a rule's target.",
      "GB-seconds: configured memory x handler time measured on the emulator (includes the harness's local AssumeRole); AWS latencies and cold starts differ.",
      "Snapshot storage and cross-region transfer cost the same for every tool and are excluded; DynamoDB requests (the admission queue, task tokens) are counted as calls, not priced (on-demand: about $1.25 per million writes).",
      `DRACO: ${data.draco.detail}.`,
    ],
    data,
  };
}

export function figure3(data: Awaited<ReturnType<typeof archiveFigure>>): Base {
  const biggest = Math.max(...data.functions.map((f) => f.zipBytes));
  const sdk = data.functions.reduce((a, f) => a + f.bundledSdk, 0) + data.layer.sdkPackages.length;
  return {
    figure: 3,
    title: "Deployed Lambda archive size and closure serialization time",
    method: "pulumi.runtime.serializeFunction of every catalog step; zip size = deflate-raw (level 9) + zip headers",
    checks: [
      check("every function archive < 100 KB", `largest ${biggest} bytes`, biggest < 100 * 1024),
      check("no AWS SDK inside (archives and layer)", `${sdk} bundled`, sdk === 0),
    ],
    tables: [
      {
        headers: ["step", "serialize ms", "module bytes", "zip bytes", "requires"],
        rows: data.functions.map((f) => [
          f.step,
          round(f.serializeMs),
          f.moduleBytes,
          f.zipBytes,
          f.requires.join(" "),
        ]),
      },
      {
        title: "Shared layer (one per stack, all functions)",
        headers: ["packages", "files", "unzipped bytes", "zip bytes"],
        rows: [[data.layer.packages.join(" "), data.layer.files, data.layer.unzippedBytes, data.layer.zipBytes]],
      },
    ],
    notes: [
      `Code paths Pulumi adds with components/lambda.ts's exclusions: ${data.codePaths.length === 0 ? "none" : data.codePaths.join(", ")}; the archive is the serialized __index.js.`,
      "The layer holds zod and Powertools with their dependencies (everything in their folders, including type declarations and source maps); the AWS SDK comes with the nodejs22.x runtime.",
      "producer-poll/consumer-poll and producer-notify/consumer-notify serialize the same handler; the first serialization includes the serializer's warm-up.",
    ],
    data,
  };
}

export function figure4(data: Awaited<ReturnType<typeof programFigure>>): Base {
  const largest = data.grid.at(-1)!;
  const flat = independentOfDatabases(data.grid);
  return {
    figure: 4,
    title: "Program evaluation under mocks (source stack)",
    method: "mocks: testkit/pulumiMocks.ts evaluateStack with index.ts",
    checks: [
      check(
        `${largest.databases} databases x ${largest.destinations} destinations evaluates < 5 s`,
        `${round(largest.ms)} ms`,
        largest.ms < 5000,
      ),
      check(
        "resources independent of the number of databases (10 vs 50)",
        flat ? "same count" : "grows with databases",
        flat,
      ),
      check(
        "per-destination database lists add no resources",
        `${data.withPerDestinationLists.resources} vs ${largest.resources}`,
        data.withPerDestinationLists.resources === largest.resources,
      ),
    ],
    tables: [
      {
        headers: ["databases", "destinations", "regions", "resources", "ms"],
        rows: [
          ...data.grid.map((e) => [e.databases, e.destinations, e.regions, e.resources, round(e.ms)]),
          [
            data.withPerDestinationLists.databases,
            data.withPerDestinationLists.destinations,
            data.withPerDestinationLists.regions,
            data.withPerDestinationLists.resources,
            round(data.withPerDestinationLists.ms),
          ],
        ],
      },
    ],
    notes: [
      `Destinations alternate between eu-west-1 (the source region) and eu-central-1; the last row gives each destination its own list of half the databases. One database is an instance only: no cluster snapshot event rule and target (2 resources fewer). First evaluation (loads the program) took ${round(data.warmUpMs)} ms and is not in the grid.`,
      `Growth per destination count (${DESTINATION_COUNTS.join(", ")}): ${DESTINATION_COUNTS.map((d) => data.grid.find((e) => e.destinations === d)?.resources).join(", ")} resources.`,
    ],
    data,
  };
}

export function figure5(data: ReturnType<typeof retentionFigure>): Base {
  const at = (n: number) => data.find((r) => r.snapshots === n)!;
  const perSnapshot = (n: number) => at(n).medianMs / n;
  const growth = perSnapshot(100_000) / perSnapshot(1_000);
  return {
    figure: 5,
    title: "Retention planning",
    method: "in process: planRetention with the Standard preset, median of 9 runs after 2 warm-up runs",
    checks: [
      check("10k snapshots < 50 ms", `${round(at(10_000).medianMs, 1)} ms`, at(10_000).medianMs < 50),
      check("linear growth: time per snapshot at 100k <= 2x that at 1k", `${round(growth, 2)}x`, growth <= 2),
    ],
    tables: [
      {
        headers: ["snapshots", "median ms", "us per snapshot", "kept"],
        rows: data.map((r) => [r.snapshots, round(r.medianMs, 2), round((r.medianMs * 1000) / r.snapshots, 2), r.kept]),
      },
    ],
    notes: [
      "One snapshot every 2 hours back from 2026-01-01, in shuffled order; every 50th unmanaged (never deleted).",
    ],
    data,
  };
}

export function figure6(data: Awaited<ReturnType<typeof scaleFigure>>): Base {
  const allFinished = data.finished === data.databases && data.availableCopiesInDestination === data.databases;
  return {
    figure: 6,
    title: `Scale: ${data.databases} databases announcing within one minute`,
    method: data.method,
    checks: [
      check(
        `instance copies in progress <= ${data.limits.instance}`,
        `peak ${data.peak.instance}`,
        data.peak.instance <= data.limits.instance,
      ),
      check(
        `cluster copies in progress <= ${data.limits.cluster}`,
        `peak ${data.peak.cluster}`,
        data.peak.cluster <= data.limits.cluster,
      ),
      check(
        "none lost",
        `${data.lost.length} lost, ${data.rejected} rejected`,
        data.lost.length === 0 && data.rejected === 0,
      ),
      check(
        "all finish",
        `${data.finished}/${data.databases} finished, ${data.availableCopiesInDestination} copies available`,
        allFinished,
      ),
    ],
    tables: [
      {
        headers: [
          "databases",
          "instances",
          "clusters",
          "started",
          "finished",
          "makespan rounds",
          "lower bound",
          "round s",
          "admission waits",
          "max checks of one copy",
          "handler calls",
        ],
        rows: [
          [
            data.databases,
            data.instances,
            data.clusters,
            data.started,
            data.finished,
            data.makespanRounds,
            data.lowerBoundRounds,
            data.roundSeconds,
            data.admissionWaits,
            data.maxAdmissionChecks,
            data.handlerCalls,
          ],
        ],
      },
    ],
    notes: [
      "Each copy runs 2-12 rounds (10-60 min, seeded); every copy in progress is checked once per round; a copy not admitted yet (functions/decisions/admission.ts: in order of arrival, slots counted from RDS) asks again after the wait it returned, rounded up to rounds, with no limit but the admission's maximum age.",
      "Lower bound: per kind, the sum of copy rounds over the concurrency limit (or the longest copy).",
      "200 copies in one region exceed RDS's default quota of 100 manual snapshots per region: the emulator runs with a quota of 1000 (MOTO_RDS_SNAPSHOT_LIMIT), as such a destination account needs a raised quota.",
      "Handlers run one at a time, as deployed: the copy-starting steps have a reserved concurrency of 1, so two runs cannot both see the last free slot.",
      ...data.lost.slice(0, 5).map((l) => `lost ${l.database}: ${l.reason}`),
    ],
    data: { ...data, perRound: data.perRound },
  };
}

export function figure7(data: Awaited<ReturnType<typeof testTimingFigure>>): Base {
  return {
    figure: 7,
    title: "`npm test` wall time",
    method: "child process on this machine",
    checks: [
      check("npm test < 5 min", `${round(data.seconds)} s`, data.seconds < 300),
      check("npm test passes", `exit code ${data.exitCode}`, data.exitCode === 0),
    ],
    tables: [
      {
        headers: ["seconds", "exit code", "mocha"],
        rows: [[round(data.seconds, 1), data.exitCode, data.summary.join(", ")]],
      },
    ],
    notes: ["Includes tsc --noEmit, biome check and all suites (unit, security, integration, e2e on moto)."],
    data,
  };
}

export function figure8(data: Awaited<ReturnType<typeof stepFunctionsFigure>>): Base {
  const { small, large, scale } = data;
  const kib = (bytes: number) => `${round(bytes / 1024, 1)} KiB`;
  const largest = Math.max(
    large.dispatch.largestStateBytes,
    large.database.largestStateBytes,
    large.consumer.largestStateBytes,
  );
  const events = (machine: string, path: number) => data.history.filter((h) => h.machine === machine)[path]!.events;
  const atBound = Math.max(...data.history.filter((h) => h.path.includes("poll bound")).map((h) => h.events));
  const dispatchEvents = Math.max(
    ...data.history.filter((h) => h.machine === "producer dispatch").map((h) => h.events),
  );
  return {
    figure: 8,
    title: `Step Functions limits at ${scale.databases} databases x ${scale.regions} regions x ${scale.accounts} accounts`,
    method:
      "emulator: the real definitions executed with aws-local-stepfunctions against the serialized handlers " +
      "(state sizes); history events counted from the definitions along a run's path",
    checks: [
      check(
        `largest state <= ${kib(STATE_LIMIT_BYTES)}`,
        `${kib(largest)} (per-database run, 50 tags of maximal length)`,
        largest <= STATE_LIMIT_BYTES,
      ),
      check(
        "dispatch state < 1 KiB, only the digits of its 4 counts differ",
        `${small.dispatch.largestStateBytes} B at ${small.databases}, ${large.dispatch.largestStateBytes} B at ${large.databases}`,
        large.dispatch.largestStateBytes < 1024 &&
          large.dispatch.largestStateBytes - small.dispatch.largestStateBytes <=
            4 * (String(large.databases).length - String(small.databases).length),
      ),
      check(
        `dispatch started one run per database`,
        `${large.dispatch.started} of ${large.databases}`,
        large.dispatch.started === large.databases,
      ),
      check(
        `dispatch history <= ${HISTORY_LIMIT_EVENTS}`,
        `${dispatchEvents} events`,
        dispatchEvents <= HISTORY_LIMIT_EVENTS,
      ),
      check(
        `per-database history, realistic worst <= ${HISTORY_LIMIT_EVENTS}`,
        `${events("producer per database", 1)} events`,
        events("producer per database", 1) <= HISTORY_LIMIT_EVENTS,
      ),
      check(
        `every execution with every poll loop at its bound (up to every known region) < ${HISTORY_LIMIT_EVENTS}`,
        `${atBound} events at most`,
        atBound < HISTORY_LIMIT_EVENTS,
      ),
    ],
    tables: [
      {
        title: "largest state (input or output of any state), bytes of JSON",
        headers: ["execution", `${small.databases} databases`, `${large.databases} databases`, "largest at", "limit"],
        rows: [
          [
            "producer dispatch",
            small.dispatch.largestStateBytes,
            large.dispatch.largestStateBytes,
            large.dispatch.state,
            STATE_LIMIT_BYTES,
          ],
          [
            "producer per database",
            small.database.largestStateBytes,
            large.database.largestStateBytes,
            large.database.state,
            STATE_LIMIT_BYTES,
          ],
          [
            "consumer",
            small.consumer.largestStateBytes,
            large.consumer.largestStateBytes,
            large.consumer.state,
            STATE_LIMIT_BYTES,
          ],
        ],
      },
      {
        title: `history events per execution (${scale.regions} destination regions), any number of databases`,
        headers: ["execution", "path", "events", "limit"],
        rows: data.history.map((h) => [h.machine, h.path, h.events, HISTORY_LIMIT_EVENTS]),
      },
    ],
    notes: [
      `Each database is its own execution (${large.database.routes} routes each here), so no figure above depends on the number of databases.`,
      "A poll loop turn is 9 events (Task 5, Choice 2, Wait 2). At the poll bound every loop of a run is stuck for its whole time bound; a per-database run's loops share 2,200 turns (the source loop and one per region), paced so each still gives up only at its time limit (functions/decisions/pollSchedule.ts pacedWait); a copy waiting for admission takes at most 400 more (functions/decisions/admission.ts).",
    ],
    data,
  };
}
