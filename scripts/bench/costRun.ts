// Figure 2 on the emulator: one RDS snapshot event replicated from the source account (eu-west-1) to the
// destination account in another region (eu-central-1), by the real state machines running the serialized
// handlers (testkit/world.ts), counted by instrument.ts. Then the waits are stretched to a 10-minute and
// a 2-hour copy with the engine's poll schedule (cost.ts).
import { CreateDBInstanceCommand, CreateDBSnapshotCommand } from "@aws-sdk/client-rds";
import { consumerDefinition } from "../../components/stateMachines";
import { stepsOf } from "../../functions/catalog";
import { buildWorld, closeWorld, DEST, explain, fakeLambdaArns, replicate, type World } from "../../testkit";
import {
  type CostTotals,
  DRACO_PUBLISHED,
  extrapolate,
  type MeasuredRun,
  pollingFor,
  pollLoopTransitions,
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

async function measure(): Promise<MeasuredRun & { statesEntered: Record<string, string[]> }> {
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
      statesEntered: { producer: [...dispatch.entered, ...database.entered], consumer: consumer.entered },
    };
  } finally {
    await closeWorld(world);
  }
}

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
    { name: "transit copy", side: "producer", pollStep: "producer-poll", operation: "snapshot-copy", seconds },
    { name: "destination copy", side: "consumer", pollStep: "consumer-poll", operation: "snapshot-copy", seconds },
  ];
}

export const COPY_DURATIONS = [
  { label: "10-minute copy", seconds: 600 },
  { label: "2-hour copy", seconds: 7200 },
];

export async function costFigure() {
  const run = await measure();
  const loop = pollLoopTransitions(
    consumerDefinition(
      fakeLambdaArns(
        stepsOf("consumer").map((s) => s.key),
        DEST.account,
        DEST.region,
      ),
    ) as never,
  );
  const scenarios: {
    label: string;
    seconds: number;
    pollsPerWait: Record<string, { checks: number; stateMachineChecks: number; inlineSeconds: number }>;
    totals: CostTotals;
  }[] = [{ label: "emulator run (instant)", seconds: 0, pollsPerWait: {}, totals: extrapolate(run, [], loop) }];
  for (const { label, seconds } of COPY_DURATIONS) {
    const waits = waitsOf(seconds);
    scenarios.push({
      label,
      seconds,
      pollsPerWait: Object.fromEntries(
        waits.map((w) => {
          const { polls, stateMachineChecks, inlineSeconds } = pollingFor(w);
          return [w.name, { checks: polls, stateMachineChecks, inlineSeconds }];
        }),
      ),
      totals: extrapolate(run, waits, loop),
    });
  }
  return { measured: run, loopTransitions: loop, scenarios, draco: DRACO_PUBLISHED };
}
