// The one-command demo: two accounts and two regions on the embedded emulator, wired as the source and dest
// stacks wire them, and the real replication run through them: the serialized step handlers the program
// deploys, executed by the very state machine definitions it deploys, with SNS carrying the announcements.

import * as fs from "node:fs";
import * as path from "node:path";
import { CreateDBClusterCommand, CreateDBInstanceCommand, CreateDBSnapshotCommand } from "@aws-sdk/client-rds";
import { listSnapshots } from "../../functions/aws/snapshots";
import type { Announcement } from "../../functions/contracts/announcement";
import { dataTimeOf, isOurCopy } from "../../functions/decisions/copyOwnership";
import { retentionPolicyFor } from "../../functions/decisions/destinationRules";
import { explainRetention } from "../../functions/decisions/retentionPolicy";
import { SOURCE_DATABASE_KEY } from "../../functions/decisions/tags";
import type { RestoreTestReport } from "../../functions/steps/consumer/restoreTest";
import type { RetentionResult } from "../../functions/steps/consumer/retention";
import {
  buildWorld,
  closeWorld,
  DEST,
  type Execution,
  emulatorEndpoint,
  execute,
  explain,
  produce,
  restoreTestMachine,
  runStartedConsumers,
  SOURCE,
  snsEvent,
  startEmulator,
  stopEmulator,
  type World,
} from "../../testkit";
import { type ReportData, renderHtmlReport } from "./htmlReport";
import {
  clustersTable,
  foldTags,
  instancesTable,
  keysTable,
  refreshedTable,
  retentionTable,
  secretsTable,
  snapshotsTable,
} from "./inventory";
import { type ProgressOutput, runSteps, type Step, type Timing } from "./progress";
import { type RetentionRow, retentionRows } from "./retentionRows";
import { REPORT_WIDTH, renderTable, type Table } from "./table";

export const DATABASE = "orders";
/** The second production database, an Aurora cluster, selected by the source's `replicate=yes` tag. */
export const CLUSTER_DATABASE = "billing-aurora";
export const PRE_RELEASE_SNAPSHOT = "orders-before-release";
/** The production database's tags: the lifecycle tag picks the copies' retention in the destination. */
export const DATABASE_TAGS = { Draco_Lifecycle: "Standard", team: "checkout", environment: "production" };
const CLUSTER_TAGS = { Draco_Lifecycle: "Standard", team: "billing", environment: "production", replicate: "yes" };

/** Both databases are refreshed into the one dev account, each into its own secret with its own prefix. */
export const REFRESH_TARGETS = [
  { database: DATABASE, kind: "instance", secretName: "dev/orders", instancePrefix: "orders-dev" },
  { database: CLUSTER_DATABASE, kind: "cluster", secretName: "dev/billing", instancePrefix: "billing-dev" },
] as const;

/** Where the HTML report goes unless `--report` says otherwise (git-ignored). */
export const DEFAULT_REPORT = path.join(".cache", "demo", "report.html");

export interface DemoOptions {
  out: ProgressOutput;
  /** Every tag and every character; by default tables fit REPORT_WIDTH columns. */
  wide?: boolean;
  /** The HTML report's path; DEFAULT_REPORT when absent. */
  reportPath?: string;
  /** Called once both accounts are wired, before any replication: tests inject faults here. */
  prepare?: (world: World) => void | Promise<void>;
}

interface DemoContext {
  options: DemoOptions;
  ownsEmulator: boolean;
  world?: World;
  /** Consumer executions already run, so each round runs only the ones its intake started. */
  done: Set<string>;
  announced: number;
  consumerRuns: Execution[];
  /** The restore test's report (as published on the notifications topic). */
  restoreTest?: RestoreTestReport;
}

const world = (c: DemoContext): World => {
  if (!c.world) throw new Error("the accounts are not wired yet");
  return c.world;
};

function failed(what: string, run: Execution, w: World): Error {
  const notes = explain(w);
  return new Error(`${what} ended ${run.status}: ${run.error}: ${run.cause}${notes ? `\n${notes}` : ""}`);
}

/** One producer run, then what SNS delivered to the destination account goes to its intake. */
async function producerRound(c: DemoContext, trigger: object): Promise<void> {
  const w = world(c);
  const { producer: run } = await produce(w, trigger, c.done);
  if (run.status !== "SUCCEEDED") throw failed("the producer run", run, w);
  const announcements = w.inbox.at("/announce").slice(c.announced);
  c.announced += announcements.length;
  if (announcements.length === 0) throw new Error(`the producer run announced nothing\n${explain(w)}`);
  const intake = await w.intake(snsEvent(announcements));
  if (intake.rejected.length > 0)
    throw new Error(`the intake rejected the announcement: ${intake.rejected.map((r) => r.reason).join("; ")}`);
  if (intake.started.length === 0) throw new Error("the intake started no consumer run");
}

async function consumerRound(c: DemoContext): Promise<void> {
  const w = world(c);
  const runs = await runStartedConsumers(w, c.done);
  if (runs.length === 0) throw new Error("no consumer run was waiting");
  for (const run of runs) if (run.status !== "SUCCEEDED") throw failed("the consumer run", run, w);
  c.consumerRuns.push(...runs);
}

const place = (p: { account: string; region: string }) => `${p.account}/${p.region}`;

export const STEPS: Step<DemoContext>[] = [
  {
    title: "Start the AWS emulator (moto, installed on first use)",
    run: async (c) => {
      try {
        emulatorEndpoint();
      } catch {
        await startEmulator();
        c.ownsEmulator = true;
      }
    },
  },
  {
    title: `Wire source ${place(SOURCE)} and destination ${place(DEST)} as the two stacks do`,
    run: async (c) => {
      c.world = await buildWorld({
        destRegion: DEST.region,
        refreshTargets: [...REFRESH_TARGETS],
        restoreTests: [{ database: DATABASE, kind: "instance" }],
      });
      await c.options.prepare?.(c.world);
    },
  },
  {
    title: `Production databases ${DATABASE} and Aurora ${CLUSTER_DATABASE}, a manual snapshot ${PRE_RELEASE_SNAPSHOT}`,
    run: async (c) => {
      const rds = world(c).source.rds;
      const tagList = (tags: Record<string, string>) => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
      const Tags = tagList(DATABASE_TAGS);
      await rds.send(
        new CreateDBInstanceCommand({
          DBInstanceIdentifier: DATABASE,
          Engine: "postgres",
          DBInstanceClass: "db.m6g.large",
          AllocatedStorage: 200,
          MasterUsername: "app",
          MasterUserPassword: "demo-password-1",
          StorageEncrypted: true,
          Tags,
        }),
      );
      await rds.send(
        new CreateDBClusterCommand({
          DBClusterIdentifier: CLUSTER_DATABASE,
          Engine: "aurora-postgresql",
          MasterUsername: "app",
          MasterUserPassword: "demo-password-2",
          StorageEncrypted: true,
          Tags: tagList(CLUSTER_TAGS),
        }),
      );
      await rds.send(
        new CreateDBSnapshotCommand({
          DBInstanceIdentifier: DATABASE,
          DBSnapshotIdentifier: PRE_RELEASE_SNAPSHOT,
          Tags,
        }),
      );
    },
  },
  {
    title: `Producer, manual start for ${PRE_RELEASE_SNAPSHOT}: transit copy in ${DEST.region}, share, announce`,
    run: (c) =>
      producerRound(c, { trigger: "manual", database: DATABASE, kind: "instance", snapshot: PRE_RELEASE_SNAPSHOT }),
  },
  {
    title: `Consumer: copy ${DATABASE} under its own key, restore, switch its secret, retention`,
    run: consumerRound,
  },
  {
    title: "Producer, nightly schedule: fresh snapshots of both, transit copies, share, announce",
    run: (c) => producerRound(c, { trigger: "schedule" }),
  },
  {
    title: "Consumer: copies of both, restores, each secret switched to its own, older restore removed",
    run: consumerRound,
  },
  {
    title: `Restore test of ${DATABASE}: newest copy restored as rt-*, checked, timed, deleted`,
    run: async (c) => {
      const w = world(c);
      const run = await execute(restoreTestMachine(w), w.consumer, { database: DATABASE, kind: "instance" });
      if (run.status !== "SUCCEEDED") throw failed("the restore test", run, w);
      c.restoreTest = (run.output as { report: RestoreTestReport }).report;
    },
  },
];

async function inventoryTables(w: World): Promise<Table[]> {
  const roles = new Map<string, string>([
    ...Object.entries(w.transitKeys).map(([region, arn]): [string, string] => [
      arn,
      `producer transit key (${region})`,
    ]),
    [w.destKey, "consumer key (never shared)"],
  ]);
  const src = `Source account ${place(SOURCE)}`;
  const hop = `Source account ${place(w.sourceInDestRegion.place)}`;
  const dst = `Destination account ${place(w.destPlace)}`;
  return [
    await instancesTable(`${src}: DB instances`, w.source),
    await clustersTable(`${src}: Aurora clusters`, w.source),
    await snapshotsTable(`${src}: snapshots`, w.source, roles),
    await keysTable(`${src}: KMS keys`, w.source, roles),
    await snapshotsTable(`${hop}: snapshots (transit copies)`, w.sourceInDestRegion, roles),
    await keysTable(`${hop}: KMS keys`, w.sourceInDestRegion, roles),
    await snapshotsTable(`${dst}: snapshots`, w.dest, roles),
    await keysTable(`${dst}: KMS keys`, w.dest, roles),
    await instancesTable(`${dst}: DB instances`, w.dest),
    await clustersTable(`${dst}: Aurora clusters`, w.dest),
    await secretsTable(
      `${dst}: restore secrets`,
      w.dest,
      REFRESH_TARGETS.map((t) => t.secretName),
    ),
    await refreshedTable(`${dst}: refreshed databases`, w.dest, w.consumerConfig.restore?.targets ?? []),
  ];
}

type RunOutput = { retention?: RetentionResult; announcement?: Announcement } | undefined;

/**
 * The retention result of the last consumer run of DATABASE, each copy with the rule behind its decision: the
 * copies are read back as the retention step reads them, and the policy is chosen as it chooses.
 */
async function explainedRetention(
  w: World,
  runs: readonly Execution[],
): Promise<{ result: RetentionResult; rows: RetentionRow[] } | undefined> {
  const output = runs.map((r) => r.output as RunOutput).findLast((o) => o?.announcement?.sourceDatabase === DATABASE);
  if (!output?.retention || !output.announcement) return undefined;
  const copies = (await listSnapshots(w.dest.rds, "instance", { type: "manual" })).filter(
    (s) => s.tags[SOURCE_DATABASE_KEY] === DATABASE,
  );
  const snapshots = copies.map((s) => ({
    id: s.id,
    createdAt: dataTimeOf(s) ?? new Date(),
    managed: isOurCopy(s),
  }));
  const { policy } = retentionPolicyFor(output.announcement, w.consumerConfig.retention);
  const explained = explainRetention(snapshots, policy, new Date());
  return { result: output.retention, rows: retentionRows(output.retention, explained) };
}

/** The restore test's measured RTO against its target, as its report on the notifications topic has it. */
export function restoreTestLine(r: RestoreTestReport): string {
  const rto =
    r.seconds === undefined ? "no RTO measured" : `RTO ${r.seconds.toFixed(2)} s (target ${r.rtoMinutes} min)`;
  return `Restore test of ${r.database}: ${r.outcome}, ${rto}, test database ${r.id} ${r.deleted ? "deleted" : "NOT deleted"}`;
}

function timingsTable(timings: Timing[], totalSeconds: number): Table {
  return {
    title: "Timings",
    columns: ["Step", "Seconds", "Result"],
    rows: [
      ...timings.map((t) => [t.title, t.seconds.toFixed(2), t.ok ? "ok" : "failed"]),
      ["Total (wall time)", totalSeconds.toFixed(2), ""],
    ],
  };
}

/** Runs the demo, prints its report and writes the HTML one; resolves to the exit code (0, or 1 when a step failed). */
export async function runDemo(options: DemoOptions): Promise<number> {
  const started = performance.now();
  const c: DemoContext = { options, ownsEmulator: false, done: new Set(), announced: 0, consumerRuns: [] };
  const { out } = options;
  out.write("rds-replication demo: replicate two production databases to another account and region\n\n");
  try {
    const outcome = await runSteps(STEPS, c, out);
    const tables: Table[] = [];
    let retention: Awaited<ReturnType<typeof explainedRetention>>;
    if (!outcome.failure && c.world) {
      tables.push(...(await inventoryTables(c.world)));
      retention = await explainedRetention(c.world, c.consumerRuns);
      if (retention) {
        const title = `Destination account ${place(c.world.destPlace)}: retention of the ${DATABASE} copies`;
        tables.push(retentionTable(title, retention.result, retention.rows));
      }
    }
    const totalSeconds = (performance.now() - started) / 1000;
    tables.push(timingsTable(outcome.timings, totalSeconds));
    const shown = options.wide ? tables : tables.map(foldTags);
    const width = options.wide ? Number.POSITIVE_INFINITY : REPORT_WIDTH;
    out.write(`\n${shown.map((t) => renderTable(t, width)).join("\n\n")}\n`);
    if (c.restoreTest) out.write(`\n${restoreTestLine(c.restoreTest)}\n`);
    const reportPath = path.resolve(options.reportPath ?? DEFAULT_REPORT);
    const data: ReportData = {
      title: "rds-replication demo",
      generatedAt: new Date().toISOString(),
      failure: outcome.failure,
      steps: outcome.timings,
      totalSeconds,
      retention: retention && {
        policy: retention.result.policy,
        dryRun: retention.result.dryRun,
        rows: retention.rows,
      },
      tables,
    };
    fs.mkdirSync(path.dirname(reportPath), { recursive: true });
    fs.writeFileSync(reportPath, renderHtmlReport(data));
    const shownPath = path.relative(process.cwd(), reportPath);
    const where = shownPath.startsWith("..") || path.isAbsolute(shownPath) ? reportPath : shownPath;
    out.write(`\nHTML report (timeline, retention calendar, tables): ${where}\n`);
    if (outcome.failure) {
      out.write(`\nDemo failed at step "${outcome.failure.title}":\n${outcome.failure.message}\n`);
      return 1;
    }
    out.write("\nDemo finished: every step succeeded.\n");
    return 0;
  } finally {
    await closeWorld(c.world);
    if (c.ownsEmulator) await stopEmulator();
  }
}
