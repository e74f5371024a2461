// Figure 8: Step Functions limits at scale (500 databases x 3 regions x 5 accounts). Two quotas bind an
// execution: 256 KiB for any state's input or output, 25,000 events in its history. State sizes are measured
// by executing the real definitions with aws-local-stepfunctions against the serialized handlers on the
// emulator; history events are counted from the definitions by walking the path a run takes.
import { CreateKeyCommand } from "@aws-sdk/client-kms";
import { DescribeExecutionCommand, ListExecutionsCommand } from "@aws-sdk/client-sfn";
import { consumerDefinition, WAIT_FOR_TASK_TOKEN } from "../../components/stateMachines";
import { stepsOf } from "../../functions/catalog";
import type { ProducerRuntimeConfig } from "../../functions/contracts/runtimeConfig";
import { ADMISSION } from "../../functions/decisions/admission";
import { awaitStart } from "../../functions/decisions/copyCompletion";
import { DEFAULT_POLL_BOUNDS, turnBudget } from "../../functions/decisions/pollSchedule";
import { MAX_DESTINATION_REGIONS } from "../../stack/config";
import {
  buildWorld,
  clientsFor,
  closeWorld,
  DEST,
  execute,
  fakeLambdaArns,
  handlersFor,
  instance,
  producerDatabaseMachine,
  producerDispatchMachine,
  resetEmulator,
  runStartedConsumers,
  SOURCE,
  setSnapshotQuota,
  snsEvent,
} from "../../testkit";
import { generateOperations, simulatePolling } from "./pollSimulation";

/** Step Functions quotas (Standard workflows), docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html */
export const STATE_LIMIT_BYTES = 256 * 1024;
export const HISTORY_LIMIT_EVENTS = 25_000;

type States = Record<string, Record<string, unknown>>;

/**
 * How a run goes: each poll loop ("... ready?" Choice) turns `checks` times, each admission loop ("...
 * admitted?") waits `admissionWaits` times (none by default); other Choices take their rule.
 */
export interface RunPath {
  checks: number;
  admissionWaits?: number;
  /**
   * Turns of each DB snapshot copy awaiting its copy-finished event ("... awaits event?"): all but the last end
   * in the Task's timeout, whose Catch turns it again (default 1: the event, or the registrar, completes it).
   */
  awaitTurns?: number;
  /** The copies are cluster copies: no event to await, the poll loop instead. */
  clusterCopies?: boolean;
  /** Items of each Map (destination regions). */
  mapItems: number;
}

// History events per state, as Step Functions records them for a Lambda Task invoked by ARN: TaskStateEntered,
// LambdaFunctionScheduled, LambdaFunctionStarted, LambdaFunctionSucceeded, TaskStateExited. Map: MapStateEntered,
// MapStateStarted, MapStateSucceeded, MapStateExited, plus MapIterationStarted/Succeeded per item.
const EVENTS: Record<string, number> = { Task: 5, Choice: 2, Wait: 2, Pass: 2, Succeed: 2, Fail: 1 };
// A `lambda:invoke.waitForTaskToken` Task: TaskStateEntered, TaskScheduled, TaskStarted, TaskSubmitted (the Lambda
// answered), then TaskSucceeded (SendTaskSuccess) or TaskTimedOut (the fallback turn), TaskStateExited.
const TOKEN_TASK_EVENTS = 6;
const MAP_EVENTS = 4;
const MAP_ITERATION_EVENTS = 2;
// ExecutionStarted and ExecutionSucceeded/Failed.
const EXECUTION_EVENTS = 2;

function walk(states: States, startAt: string, path: RunPath): number {
  let events = 0;
  const visits = new Map<string, number>();
  let name: string | undefined = startAt;
  while (name) {
    const state: Record<string, unknown> | undefined = states[name];
    if (!state) throw new Error(`no state ${name}`);
    const seen: number = (visits.get(name) ?? 0) + 1;
    visits.set(name, seen);
    if (state.Type === "Map") {
      const processor = state.ItemProcessor as { StartAt: string; States: States };
      events += MAP_EVENTS + path.mapItems * (MAP_ITERATION_EVENTS + walk(processor.States, processor.StartAt, path));
    } else if (state.Resource === WAIT_FOR_TASK_TOKEN) {
      events += TOKEN_TASK_EVENTS * (path.awaitTurns ?? 1);
    } else {
      const perState = EVENTS[String(state.Type)];
      if (perState === undefined) throw new Error(`no event count for ${String(state.Type)}`);
      events += perState;
    }
    if (state.Type === "Choice") {
      const [rule] = state.Choices as { Next: string }[];
      const loop = name.endsWith("ready?");
      // A poll loop leaves on its last check; "Any failure?" takes the success path; others their first rule.
      if (loop) name = seen >= path.checks ? rule?.Next : String(state.Default);
      else if (name.endsWith("awaits event?")) name = path.clusterCopies ? String(state.Default) : rule?.Next;
      else if (name.endsWith("admitted?"))
        name = seen > (path.admissionWaits ?? 0) ? String(state.Default) : rule?.Next;
      else name = name === "Any failure?" ? String(state.Default) : rule?.Next;
    } else name = state.End || state.Type === "Succeed" || state.Type === "Fail" ? undefined : (state.Next as string);
  }
  return events;
}

/** History events of one execution of `definition` along `path`. */
export function historyEvents(definition: object, path: RunPath): number {
  const { StartAt, States: states } = definition as { StartAt: string; States: States };
  return EXECUTION_EVENTS + walk(states, StartAt, path);
}

/** The most state machine turns one poll loop took over the seeded operations of figure 1 (each kind). */
export function realisticWorstChecks(count = 2000): number {
  return Math.max(...generateOperations(count).map((op) => simulatePolling(op).stateMachineChecks));
}

export const SCALE = { databases: 500, regions: 3, accounts: 5 } as const;
const REGIONS = [SOURCE.region, DEST.region, "us-east-1"];
const ACCOUNTS = [DEST.account, "333333333333", "444444444444", "555555555555", "666666666666"];

/** A 63-character identifier (RDS's maximum for a DB instance). */
export const longIdentifier = (n: number) => `${`replicated-database-with-a-long-name-${n}-`.padEnd(63, "x")}`;

// RDS's maximum: 50 tags per resource, keys of 128 and values of 256 characters.
const maximalTags = (): Record<string, string> =>
  Object.fromEntries(
    Array.from({ length: 50 }, (_, i) => [`tag-${i}-`.padEnd(128, "k"), `value-${i}-`.padEnd(256, "v")]),
  );

export interface StateSizes {
  databases: number;
  dispatch: { largestStateBytes: number; state: string; started: number };
  database: { largestStateBytes: number; state: string; routes: number };
  consumer: { largestStateBytes: number; state: string };
}

/**
 * On the emulator: `databases` instances (one with the maximal identifier and tags), 3 regions x 5 accounts
 * as destinations of every one; the dispatch, one per-database run and its consumer runs executed.
 */
export async function measureStateSizes(databases: number, progress: (line: string) => void): Promise<StateSizes> {
  // Each measurement on an empty emulator: the databases of an earlier one would be selected too.
  await resetEmulator();
  const world = await buildWorld({ destRegion: DEST.region });
  try {
    // 500 databases hold more than RDS's default 100 snapshots (the emulator counts the instances' automated
    // ones too): an account of 500 databases has a raised quota (test knob; the next reset restores 100).
    await setSnapshotQuota(4 * databases);
    const third = await clientsFor({ account: SOURCE.account, region: REGIONS[2]! });
    const { KeyMetadata } = await third.kms.send(new CreateKeyCommand({ Description: "transit" }));
    const config: ProducerRuntimeConfig = {
      ...world.producerConfig,
      transitKeyArns: { ...world.transitKeys, [REGIONS[2]!]: KeyMetadata?.Arn ?? "" },
      destinations: REGIONS.flatMap((region) => ACCOUNTS.map((account) => ({ account, region, databases: [] }))),
    };
    const producer = await handlersFor("producer", world.source, config, {
      AWS_ENDPOINT_URL: world.proxy.url,
      STATE_MACHINE_ARN: world.producerStateMachineArn,
    });
    const big = longIdentifier(0);
    await instance(world.source, big, { ...maximalTags(), replicate: "yes" });
    for (let i = 1; i < databases; i++) {
      await instance(world.source, longIdentifier(i), { replicate: "yes" });
      if (i % 100 === 0) progress(`${i} of ${databases} databases created`);
    }
    const measured = { measureStates: true };
    const dispatch = await execute(producerDispatchMachine(), producer, { trigger: "schedule" }, undefined, measured);
    if (dispatch.status !== "SUCCEEDED") throw new Error(`dispatch ${dispatch.error}: ${dispatch.cause}`);
    const started = (
      await world.sourceSfn.send(
        new ListExecutionsCommand({ stateMachineArn: world.producerStateMachineArn, maxResults: 1000 }),
      )
    ).executions;
    const own = started?.find((e) => e.name?.startsWith(big.slice(0, 40)));
    if (!own?.executionArn) throw new Error(`no run started for ${big}`);
    const { input } = await world.sourceSfn.send(new DescribeExecutionCommand({ executionArn: own.executionArn }));
    const run = await execute(
      producerDatabaseMachine(),
      producer,
      JSON.parse(input ?? "{}"),
      own.executionArn,
      measured,
    );
    if (run.status !== "SUCCEEDED") throw new Error(`database run ${run.error}: ${run.cause}`);
    await world.intake(snsEvent(world.inbox.at("/announce")));
    const consumers = await runStartedConsumers(world, new Set(), measured);
    const largestConsumer = consumers
      .map((c) => c.largestState)
      .reduce((a, b) => (b.bytes > a.bytes ? b : a), { bytes: 0, state: "-" });
    return {
      databases,
      dispatch: {
        largestStateBytes: dispatch.largestState.bytes,
        state: dispatch.largestState.state,
        started: started?.length ?? 0,
      },
      database: {
        largestStateBytes: run.largestState.bytes,
        state: run.largestState.state,
        routes: config.destinations.length,
      },
      consumer: { largestStateBytes: largestConsumer.bytes, state: largestConsumer.state },
    };
  } finally {
    await closeWorld(world);
  }
}

export interface HistoryRow {
  machine: string;
  path: string;
  events: number;
}

/**
 * The turns each poll loop of a per-database run may take with `regions` destination regions: its share of
 * the run's turn budget (the source loop and one per region), never more than maxPolls.
 */
export const producerLoopBound = (regions: number): number =>
  Math.min(DEFAULT_POLL_BOUNDS.maxPolls, turnBudget(1 + regions));

/**
 * History events of each execution: nominal (every loop one check), the realistic worst, every loop at its
 * poll bound, and the per-database run at its bound with every region the config knows.
 */
export function historyRows(): HistoryRow[] {
  const realistic = realisticWorstChecks();
  const { maxPolls } = DEFAULT_POLL_BOUNDS;
  const consumer = consumerDefinition(
    fakeLambdaArns(
      stepsOf("consumer").map((s) => s.key),
      DEST.account,
      DEST.region,
    ),
  );
  const machines: [string, object, number][] = [
    ["producer dispatch", producerDispatchMachine(), maxPolls],
    ["producer per database", producerDatabaseMachine(), producerLoopBound(SCALE.regions)],
    ["consumer (with restore)", consumer, maxPolls],
  ];
  const awaits = maxAwaitTurns();
  const rows = machines.flatMap(([machine, definition, bound]): HistoryRow[] =>
    (
      [
        ["every poll loop 1 check, each copy's event comes", { checks: 1 }],
        [`every loop ${realistic} turns (worst of the seeded operations)`, { checks: realistic }],
        [
          `cluster copies, every loop at its poll bound (${bound} turns), admission at its budget (${ADMISSION.turnBudget})`,
          { checks: bound, admissionWaits: ADMISSION.turnBudget, clusterCopies: true },
        ],
        [
          `instance copies, no event: each await at its time limit (${awaits} turns), other loops at their bound`,
          { checks: bound, admissionWaits: ADMISSION.turnBudget, awaitTurns: awaits },
        ],
      ] as const
    ).map(([path, run]) => ({
      machine,
      path,
      events: historyEvents(definition, { ...run, mapItems: SCALE.regions }),
    })),
  );
  const most = producerLoopBound(MAX_DESTINATION_REGIONS);
  return [
    ...rows,
    {
      machine: `producer per database (${MAX_DESTINATION_REGIONS} regions)`,
      path: `cluster copies, every loop at its poll bound (${most} turns), admission at its budget (${ADMISSION.turnBudget})`,
      events: historyEvents(producerDatabaseMachine(), {
        checks: most,
        admissionWaits: ADMISSION.turnBudget,
        clusterCopies: true,
        mapItems: MAX_DESTINATION_REGIONS,
      }),
    },
    {
      machine: `producer per database (${MAX_DESTINATION_REGIONS} regions)`,
      path: `instance copies, no event: each await at its time limit (${awaits} turns), admission at its budget`,
      events: historyEvents(producerDatabaseMachine(), {
        checks: most,
        admissionWaits: ADMISSION.turnBudget,
        awaitTurns: awaits,
        mapItems: MAX_DESTINATION_REGIONS,
      }),
    },
  ];
}

/**
 * The most turns a copy's await can take: every turn waits the fallback timeout the copy step set (awaitStart),
 * and the registrar fails the copy once its time limit has passed (functions/decisions/copyCompletion.ts).
 */
export function maxAwaitTurns(): number {
  const { awaitSeconds } = awaitStart("snapshot-copy", 0);
  if (!awaitSeconds) throw new Error("a DB snapshot copy awaits its event with a fallback timeout");
  return Math.ceil(DEFAULT_POLL_BOUNDS.maxTotalSeconds["snapshot-copy"] / awaitSeconds) + 1;
}

export async function stepFunctionsFigure(progress: (line: string) => void) {
  const small = await measureStateSizes(2, progress);
  progress(`figure 8: ${SCALE.databases} databases on the emulator ...`);
  const large = await measureStateSizes(SCALE.databases, progress);
  return { scale: SCALE, small, large, history: historyRows() };
}
