// Figure 6: 200 databases announce within one minute to one destination account. The real intake and the
// real consumer copy and poll handlers (serialized, as deployed) run against the emulator; time advances in
// rounds, and the handlers' clock with them. The proxy of testkit/proxy.ts holds every started copy at
// `copying` until its simulated duration is over, so the copy handler's admission (functions/aws/startCopy.ts) counts
// the copies in progress. A copy not admitted yet asks again after the wait it returned (the state machine's
// Wait, rounded up to rounds), one handler call at a time, as one Lambda after another would see the account.
import {
  CreateDBClusterCommand,
  CreateDBClusterSnapshotCommand,
  CreateDBInstanceCommand,
  CreateDBSnapshotCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBSnapshotsCommand,
  ModifyDBClusterSnapshotAttributeCommand,
  ModifyDBSnapshotAttributeCommand,
  RDSClient,
} from "@aws-sdk/client-rds";
import type { Announcement } from "../../functions/contracts/announcement";
import { COPY_CONCURRENCY, type Kind } from "../../functions/decisions/errors";
import type { CopyResult, CopyWaiting } from "../../functions/steps/consumer/copy";
import type { PollResult } from "../../functions/steps/poll";
import { buildWorld, closeWorld, DEST, SOURCE, setSnapshotQuota, snsEvent, type World } from "../../testkit";
import { advanceClock } from "../../testkit/clock";
import { seededRandom } from "./pollSimulation";

export const ROUND_SECONDS = 300;

interface Item {
  database: string;
  kind: Kind;
  announcement: Announcement;
  execution: string;
  /** Rounds the copy runs once started (10-60 minutes). */
  durationRounds: number;
  state: "waiting" | "copying" | "done" | "lost";
  nextAttemptRound: number;
  retries: number;
  copy?: CopyResult;
  poll?: PollResult;
  startedRound?: number;
  releaseRound?: number;
  finishedRound?: number;
  lostReason?: string;
}

async function sourceSnapshots(world: World, instances: number, clusters: number, onProgress: (l: string) => void) {
  const rds = world.source.rds;
  const made: { database: string; kind: Kind; arn: string }[] = [];
  for (let i = 0; i < instances; i++) {
    const database = `app-${i}`;
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: database,
        Engine: "postgres",
        DBInstanceClass: "db.t3.micro",
        AllocatedStorage: 20,
        MasterUsername: "admin",
        MasterUserPassword: "password123",
      }),
    );
    const { DBSnapshot } = await rds.send(
      new CreateDBSnapshotCommand({ DBInstanceIdentifier: database, DBSnapshotIdentifier: `${database}-transit` }),
    );
    await rds.send(
      new ModifyDBSnapshotAttributeCommand({
        DBSnapshotIdentifier: `${database}-transit`,
        AttributeName: "restore",
        ValuesToAdd: [DEST.account],
      }),
    );
    made.push({ database, kind: "instance", arn: DBSnapshot?.DBSnapshotArn ?? "" });
  }
  for (let i = 0; i < clusters; i++) {
    const database = `aurora-${i}`;
    await rds.send(
      new CreateDBClusterCommand({
        DBClusterIdentifier: database,
        Engine: "aurora-postgresql",
        MasterUsername: "admin",
        MasterUserPassword: "password123",
        // Encrypted as the transit copies are: the copy step re-encrypts them, which RDS refuses for an
        // unencrypted cluster snapshot (the emulator refuses it too, launcher fix 4).
        StorageEncrypted: true,
        KmsKeyId: world.transitKeys[SOURCE.region],
      }),
    );
    const { DBClusterSnapshot } = await rds.send(
      new CreateDBClusterSnapshotCommand({
        DBClusterIdentifier: database,
        DBClusterSnapshotIdentifier: `${database}-transit`,
      }),
    );
    await rds.send(
      new ModifyDBClusterSnapshotAttributeCommand({
        DBClusterSnapshotIdentifier: `${database}-transit`,
        AttributeName: "restore",
        ValuesToAdd: [DEST.account],
      }),
    );
    made.push({ database, kind: "cluster", arn: DBClusterSnapshot?.DBClusterSnapshotArn ?? "" });
  }
  onProgress(`figure 6: ${made.length} shared source snapshots ready`);
  return made;
}

function announcementFor(world: World, s: { database: string; kind: Kind; arn: string }, second: number): Announcement {
  const at = new Date(Date.UTC(2026, 0, 1, 2, 0, second)).toISOString();
  return {
    version: 1,
    kind: s.kind,
    snapshotArn: s.arn,
    sourceAccount: SOURCE.account,
    sourceRegion: SOURCE.region,
    snapshotRegion: SOURCE.region,
    sourceDatabase: s.database,
    engine: s.kind === "cluster" ? "aurora-postgresql" : "postgres",
    snapshotCreateTime: at,
    keyArn: world.transitKeys[SOURCE.region]!,
    tags: { team: "bench" },
    destinationAccount: DEST.account,
    destinationRegion: SOURCE.region,
    sourceSnapshotArn: s.arn,
    announcedAt: at,
  };
}

/** Copies in progress in the destination account as RDS (through the proxy) reports them. */
async function inProgress(rds: RDSClient): Promise<Record<Kind, number>> {
  const count = async (kind: Kind) => {
    let n = 0;
    let marker: string | undefined;
    do {
      const page =
        kind === "instance"
          ? await rds.send(new DescribeDBSnapshotsCommand({ SnapshotType: "manual", Marker: marker }))
          : await rds.send(new DescribeDBClusterSnapshotsCommand({ SnapshotType: "manual", Marker: marker }));
      const list =
        "DBSnapshots" in page
          ? page.DBSnapshots
          : (page as { DBClusterSnapshots?: { Status?: string }[] }).DBClusterSnapshots;
      n += (list ?? []).filter((s) => s.Status === "copying" || s.Status === "creating").length;
      marker = page.Marker;
    } while (marker);
    return n;
  };
  return { instance: await count("instance"), cluster: await count("cluster") };
}

export interface ScaleOptions {
  instances: number;
  clusters: number;
  seed: number;
  maxRounds: number;
}

export const DEFAULT_SCALE: ScaleOptions = { instances: 160, clusters: 40, seed: 42, maxRounds: 400 };

export async function scaleFigure(onProgress: (line: string) => void, options: ScaleOptions = DEFAULT_SCALE) {
  const world = await buildWorld({ destRegion: SOURCE.region });
  try {
    // Each account holds a snapshot per database and more than RDS's default 100 manual snapshots, as an
    // account of 200 databases has a raised quota (the emulator's test knob; buildWorld's reset restores 100).
    await setSnapshotQuota(2 * (options.instances + options.clusters) + 50);
    const random = seededRandom(options.seed);
    const made = await sourceSnapshots(world, options.instances, options.clusters, onProgress);
    // Announced within one minute, in an interleaved order: each delivered as its own SNS event.
    const topicArn = world.producerConfig.announceTopicArn;
    const items: Item[] = [];
    let rejected = 0;
    for (const [n, s] of made.entries()) {
      const announcement = announcementFor(world, s, Math.floor((n * 60) / made.length));
      const out = await world.intake(
        snsEvent([{ Message: JSON.stringify(announcement), TopicArn: topicArn, MessageId: `m-${n}` }]),
      );
      rejected += out.rejected.length;
      for (const execution of out.started) {
        items.push({
          database: s.database,
          kind: s.kind,
          announcement,
          execution,
          durationRounds: 2 + Math.floor(random() * 11),
          state: "waiting",
          nextAttemptRound: 0,
          retries: 0,
        });
      }
    }
    onProgress(`figure 6: intake started ${items.length} consumer runs (${rejected} rejected)`);
    const viaProxy = new RDSClient({
      region: SOURCE.region,
      endpoint: world.proxy.url,
      credentials: world.dest.credentials,
    });
    const copy = world.consumer["consumer-copy"]!;
    const poll = world.consumer["consumer-poll"]!;
    const peak: Record<Kind, number> = { instance: 0, cluster: 0 };
    const perRound: { round: number; instance: number; cluster: number; waiting: number; done: number }[] = [];
    let handlerCalls = 0;
    let admissionWaits = 0;
    let round = 0;
    for (; round < options.maxRounds && items.some((i) => i.state === "waiting" || i.state === "copying"); round++) {
      if (round > 0) advanceClock(ROUND_SECONDS * 1000);
      // RDS finishes the copies whose time is up: no more `copying` answers, then as moto has it (available).
      for (const item of items) {
        if (item.state === "copying" && item.releaseRound === round) world.proxy.copyingFor(item.copy!.snapshot.id, 0);
      }
      // Each copy in progress is checked once per round.
      for (const item of items.filter((i) => i.state === "copying")) {
        handlerCalls += 1;
        try {
          const result = (await poll({
            target: item.copy!.snapshot,
            operation: item.copy!.operation,
            poll: item.poll ?? item.copy!.poll,
            execution: item.execution,
          })) as PollResult;
          item.poll = result;
          if (result.done) {
            item.state = "done";
            item.finishedRound = round;
          }
        } catch (error) {
          item.state = "lost";
          item.lostReason = `poll: ${(error as Error).name}: ${(error as Error).message}`;
        }
      }
      // Runs whose (re)try is due start their copy.
      for (const item of items.filter((i) => i.state === "waiting" && i.nextAttemptRound <= round)) {
        handlerCalls += 1;
        try {
          const out = (await copy({ announcement: item.announcement, execution: item.execution })) as
            | CopyResult
            | CopyWaiting;
          if ("waiting" in out) {
            admissionWaits += 1;
            item.retries += 1;
            item.nextAttemptRound = round + Math.max(1, Math.ceil(out.waitSeconds / ROUND_SECONDS));
            continue;
          }
          item.copy = out;
          world.proxy.neverFinish(item.copy.snapshot.id);
          item.state = "copying";
          item.startedRound = round;
          item.releaseRound = round + item.durationRounds;
        } catch (error) {
          item.state = "lost";
          item.lostReason = `copy: ${(error as Error).name}: ${(error as Error).message}`;
        }
      }
      const now = await inProgress(viaProxy);
      peak.instance = Math.max(peak.instance, now.instance);
      peak.cluster = Math.max(peak.cluster, now.cluster);
      perRound.push({
        round,
        ...now,
        waiting: items.filter((i) => i.state === "waiting").length,
        done: items.filter((i) => i.state === "done").length,
      });
      if (round % 10 === 0) {
        onProgress(
          `figure 6: round ${round}: ${now.instance}+${now.cluster} copying, ${perRound.at(-1)!.waiting} waiting, ${perRound.at(-1)!.done} done`,
        );
      }
    }
    const finalCopies =
      (await world.dest.rds.send(new DescribeDBSnapshotsCommand({ SnapshotType: "manual" }))).DBSnapshots ?? [];
    const finalClusterCopies =
      (await world.dest.rds.send(new DescribeDBClusterSnapshotsCommand({ SnapshotType: "manual" })))
        .DBClusterSnapshots ?? [];
    const available = [...finalCopies, ...finalClusterCopies].filter((s) => s.Status === "available").length;
    const done = items.filter((i) => i.state === "done");
    return {
      method: "real intake, copy and poll handlers on the emulator; rounds and the admission loop's waits simulated",
      roundSeconds: ROUND_SECONDS,
      databases: made.length,
      instances: options.instances,
      clusters: options.clusters,
      announced: made.length,
      started: items.length,
      rejected,
      limits: COPY_CONCURRENCY,
      peak,
      finished: done.length,
      lost: items.filter((i) => i.state === "lost").map((i) => ({ database: i.database, reason: i.lostReason })),
      unfinished: items.filter((i) => i.state === "waiting" || i.state === "copying").length,
      availableCopiesInDestination: available,
      makespanRounds: done.length > 0 ? Math.max(...done.map((i) => i.finishedRound!)) + 1 : 0,
      roundsRun: round,
      lowerBoundRounds: lowerBound(items),
      maxAdmissionChecks: Math.max(0, ...items.map((i) => i.retries)),
      admissionWaits,
      handlerCalls,
      perRound,
    };
  } finally {
    await closeWorld(world);
  }
}

/** No schedule can beat the slots: per kind, total copy rounds over the concurrency, or the longest copy. */
export function lowerBound(items: { kind: Kind; durationRounds: number }[]): number {
  return Math.max(
    ...(["instance", "cluster"] as const).map((kind) => {
      const durations = items.filter((i) => i.kind === kind).map((i) => i.durationRounds);
      if (durations.length === 0) return 0;
      return Math.max(Math.ceil(durations.reduce((a, b) => a + b, 0) / COPY_CONCURRENCY[kind]), ...durations);
    }),
  );
}
