// Figure 2 on the emulator: one RDS snapshot event replicated from the source account (eu-west-1) to the
// destination account in another region (eu-central-1), by the real state machines running the serialized
// handlers (testkit/world.ts), counted by instrument.ts. Then the waits are stretched to a 10-minute and
// a 2-hour copy (cost.ts): with the engine's poll schedule, or, for a copy wait the definitions await by event
// (a waitForTaskToken Task of its registrar), with the registrar's fallback turns and one copy-event handler call.
import { randomUUID } from "node:crypto";
import { CreateDBInstanceCommand, CreateDBSnapshotCommand, DescribeDBSnapshotsCommand } from "@aws-sdk/client-rds";
import { consumerDefinition, producerDatabaseDefinition } from "../../components/stateMachines";
import { stepsOf } from "../../functions/catalog";
import { buildWorld, closeWorld, DEST, explain, fakeLambdaArns, replicate, SOURCE, type World } from "../../testkit";
import { copyFinishedEvent } from "./copyEvent";
import {
  type AwaitLoops,
  asPolling,
  awaitLoops,
  awaitsEvent,
  type CostTotals,
  DRACO_PUBLISHED,
  extrapolate,
  type MeasuredRun,
  pollingFor,
  pollLoopTransitions,
  registrarTurnsFor,
  type Wait,
} from "./cost";
import { record } from "./instrument";

function instrumentWorld(world: World, recorder: ReturnType<typeof record>): void {
  for (const side of ["producer", "consumer"] as const) {
    const handlers = world[side];
    for (const key of Object.keys(handlers)) handlers[key] = recorder.wrap(side, key, handlers[key]!);
  }
  world.intake = recorder.wrap("consumer", "consumer-intake", world.intake) as World["intake"];
}

/** The copy each side made in the run: the transit copy (source account, destination region), the destination copy. */
async function copyOf(world: World, side: "producer" | "consumer") {
  const clients = side === "producer" ? world.sourceInDestRegion : world.dest;
  const { DBSnapshots = [] } = await clients.rds.send(new DescribeDBSnapshotsCommand({ SnapshotType: "manual" }));
  const newest = [...DBSnapshots].sort(
    (a, b) => (b.SnapshotCreateTime?.getTime() ?? 0) - (a.SnapshotCreateTime?.getTime() ?? 0),
  )[0];
  if (!newest?.DBSnapshotArn || !newest.DBSnapshotIdentifier) {
    throw new Error(`no ${side} copy in ${clients.place.account} ${clients.place.region}`);
  }
  return {
    account: clients.place.account,
    region: clients.place.region,
    sourceRegion: side === "producer" ? SOURCE.region : clients.place.region,
    arn: newest.DBSnapshotArn,
    identifier: newest.DBSnapshotIdentifier,
    minutes: 0,
  };
}

/**
 * Delivers each side's copy-finished event to its copy-event handler, where the world has one (the event design):
 * the registrar completed each wait during the run, so this is the handler's call for an event that comes.
 * Returns the errors of handlers that threw (their invocations are still measured).
 */
async function deliverCopyEvents(world: World): Promise<string[]> {
  const errors: string[] = [];
  for (const side of ["producer", "consumer"] as const) {
    const handler = world[side][`${side}-copy-event`];
    if (!handler) continue;
    const event = copyFinishedEvent(await copyOf(world, side), new Date(), randomUUID());
    try {
      await handler(event);
    } catch (error) {
      errors.push(`${side}-copy-event: ${(error as Error).message}`);
    }
  }
  return errors;
}

async function measure(): Promise<
  MeasuredRun & { statesEntered: Record<string, string[]>; eventHandlerErrors: string[] }
> {
  const world = await buildWorld({ destRegion: DEST.region });
  try {
    await world.source.rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: "orders",
        Engine: "postgres",
        DBInstanceClass: "db.t3.micro",
        AllocatedStorage: 20,
        MasterUsername: "admin",
        MasterUserPassword: "password123",
        Tags: [{ Key: "Draco_Lifecycle", Value: "Standard" }],
      }),
    );
    const { DBSnapshot } = await world.source.rds.send(
      new CreateDBSnapshotCommand({ DBInstanceIdentifier: "orders", DBSnapshotIdentifier: "orders-nightly" }),
    );
    const arn = DBSnapshot?.DBSnapshotArn ?? "";
    const recorder = record();
    instrumentWorld(world, recorder);
    const flow = await replicate(world, {
      "detail-type": "RDS DB Snapshot Event",
      source: "aws.rds",
      resources: [arn],
      detail: { EventID: "RDS-EVENT-0042", SourceArn: arn, SourceType: "SNAPSHOT" },
    });
    const replicationCalls = recorder.invocations.length;
    const eventHandlerErrors = await deliverCopyEvents(world);
    const eventDeliveries = recorder.invocations.splice(replicationCalls);
    await recorder.stop();
    const statuses = [flow.producer.status, ...flow.consumers.map((c) => c.status)];
    if (flow.consumers.length !== 1 || statuses.some((s) => s !== "SUCCEEDED")) {
      throw new Error(`the replication did not succeed on the emulator (${statuses.join(", ")}):\n${explain(world)}`);
    }
    // The producer's dispatch and its one per-database run, then the consumer run.
    const [dispatch, database, consumer] = recorder.executions;
    if (!dispatch || !database || !consumer || recorder.executions.length !== 3) {
      throw new Error(`expected 3 executions, saw ${recorder.executions.length}`);
    }
    return {
      invocations: recorder.invocations,
      transitions: { producer: dispatch.transitions + database.transitions, consumer: consumer.transitions },
      eventDeliveries,
      eventHandlerErrors,
      statesEntered: { producer: [...dispatch.entered, ...database.entered], consumer: consumer.entered },
    };
  } finally {
    await closeWorld(world);
  }
}

/** An instance snapshot copy: polled by the side's poll step, or awaited by its registrar until its event. */
const copyWait = (name: string, side: Wait["side"], seconds: number): Wait => ({
  name,
  side,
  pollStep: `${side}-poll`,
  operation: "snapshot-copy",
  seconds,
  awaitStep: `${side}-await-copy`,
  eventStep: `${side}-copy-event`,
});

/** The waits of this flow: the source snapshot exists already (event-triggered); both copies take `seconds`. */
export function waitsOf(seconds: number): Wait[] {
  return [
    {
      name: "source snapshot (exists)",
      side: "producer",
      pollStep: "producer-poll",
      operation: "snapshot-create",
      seconds: 0,
    },
    copyWait("transit copy", "producer", seconds),
    copyWait("destination copy", "consumer", seconds),
  ];
}

export const COPY_DURATIONS = [
  { label: "10-minute copy", seconds: 600 },
  { label: "2-hour copy", seconds: 7200 },
];

const arnsOf = (side: "producer" | "consumer", account: string, region: string) =>
  fakeLambdaArns(
    stepsOf(side).map((s) => s.key),
    account,
    region,
  );

export type WaitChecks =
  | { design: "event"; registrarTurns: number }
  | { design: "poll"; checks: number; stateMachineChecks: number; inlineSeconds: number };

/** How each wait is completed and how often it is checked. */
export function checksPerWait(waits: Wait[], awaits: AwaitLoops): Record<string, WaitChecks> {
  return Object.fromEntries(
    waits.map((w): [string, WaitChecks] => {
      if (awaitsEvent(w, awaits)) return [w.name, { design: "event", registrarTurns: registrarTurnsFor(w) }];
      const { polls, stateMachineChecks, inlineSeconds } = pollingFor(w);
      return [w.name, { design: "poll", checks: polls, stateMachineChecks, inlineSeconds }];
    }),
  );
}

export interface CostScenario {
  label: string;
  /** "event" when a copy wait is awaited by its event in the definitions, "poll" otherwise. */
  design: "event" | "poll";
  seconds: number;
  perWait: Record<string, WaitChecks>;
  totals: CostTotals;
}

/**
 * Figure 2's rows from a measured run: the emulator run itself, then per copy duration the design the
 * definitions deploy (event rows when they await a copy by event and its handler was measured) and, beside the
 * event rows, the polling design priced from the same run.
 */
export function costScenarios(
  run: MeasuredRun & { eventHandlerErrors: string[] },
  loop: number,
  awaits: AwaitLoops,
): { unmeasured: string[]; scenarios: CostScenario[] } {
  const scenarios: CostScenario[] = [
    { label: "emulator run (instant)", design: "poll", seconds: 0, perWait: {}, totals: extrapolate(run, [], loop) },
  ];
  const polling = asPolling(run, waitsOf(0), loop);
  // The event design's rows need each awaited copy's handler measured: absent from the world or throwing, only the
  // polling rows are produced, and the figure says why.
  const unmeasured = [
    ...run.eventHandlerErrors,
    ...waitsOf(0)
      .filter((w) => awaitsEvent(w, awaits))
      .filter((w) => !(run.eventDeliveries ?? []).some((i) => i.side === w.side && i.step === w.eventStep))
      .map((w) => `${w.name}: no ${w.eventStep} handler in the world`),
  ];
  for (const { label, seconds } of COPY_DURATIONS) {
    const waits = waitsOf(seconds);
    const eventDesign = waits.some((w) => awaitsEvent(w, awaits));
    if (eventDesign && unmeasured.length === 0) {
      scenarios.push({
        label,
        design: "event",
        seconds,
        perWait: checksPerWait(waits, awaits),
        totals: extrapolate(run, waits, loop, awaits),
      });
    }
    scenarios.push({
      label: eventDesign ? `${label}, previous design: polling` : label,
      design: "poll",
      seconds,
      perWait: checksPerWait(waits, {}),
      totals: extrapolate(polling, waits, loop),
    });
  }
  return { unmeasured, scenarios };
}

export async function costFigure() {
  const run = await measure();
  const loop = pollLoopTransitions(consumerDefinition(arnsOf("consumer", DEST.account, DEST.region)) as never);
  // The await loops of both sides, as deployed: which waits the definitions await by event, and each loop's turn.
  const awaits: AwaitLoops = {
    ...awaitLoops(producerDatabaseDefinition(arnsOf("producer", SOURCE.account, SOURCE.region)) as never),
    ...awaitLoops(consumerDefinition(arnsOf("consumer", DEST.account, DEST.region)) as never),
  };
  return {
    measured: run,
    loopTransitions: loop,
    awaitLoops: awaits,
    ...costScenarios(run, loop, awaits),
    draco: DRACO_PUBLISHED,
  };
}
