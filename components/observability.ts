// What an operator watches: CloudWatch alarms to the notifications topic (failed executions, Lambda errors,
// dead-letter queues, replication lag above the RPO) and one dashboard per stack. The alarm and dashboard
// specs are pure functions over plain names, tested directly; `watch` turns them into resources.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DATABASE_DIMENSION, ENGINE_METRICS, METRICS_NAMESPACE, SERVICE } from "../functions/aws/observability";
import type { Rpo } from "./consumer";
import { type BuiltStep, physicalName } from "./shared";

/** Steps that emit them: the lag comes from the consumer's success notification, copies from the poll step. */
export const LAG_STEP = "consumer-notify";
export const POLL_STEP = "poll";

const HOUR = 3600;

export interface AlarmSpec<T = string> {
  /** Logical name of the alarm resource. */
  readonly name: string;
  readonly description: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly statistic: "Sum" | "Maximum" | "Minimum";
  readonly dimensions: Readonly<Record<string, T>>;
  readonly comparisonOperator: "GreaterThanOrEqualToThreshold" | "GreaterThanThreshold";
  readonly threshold: number;
  readonly period: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly treatMissingData: "notBreaching" | "breaching";
}

/** A step Lambda and its dead-letter queue, by name. */
export interface WatchedStep<T = string> {
  readonly key: string;
  /** The step's child name prefix (component name + short key), the alarms' logical name base. */
  readonly prefix: string;
  readonly functionName: T;
  readonly queueName: T;
}

// Any occurrence in five minutes is worth a look: these count failures, not load.
const anyInFiveMinutes = {
  comparisonOperator: "GreaterThanOrEqualToThreshold",
  threshold: 1,
  period: 300,
  evaluationPeriods: 1,
  datapointsToAlarm: 1,
  treatMissingData: "notBreaching",
} as const;

/**
 * Executions of a state machine that ended without success, whatever the cause: also those a Catch cannot
 * see (States.DataLimitExceeded, a Task's or the execution's timeout, a stop), which send no notification of
 * their own.
 */
export function stateMachineAlarmSpecs<T>(name: string, stateMachineArn: T): AlarmSpec<T>[] {
  return (["ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted"] as const).map((metricName) => ({
    ...anyInFiveMinutes,
    name: `${name}-state-machine-${metricName}`,
    description: `rds-replication ${name}: ${metricName} of the state machine`,
    namespace: "AWS/States",
    metricName,
    statistic: "Sum",
    dimensions: { StateMachineArn: stateMachineArn },
  }));
}

/** Unsuccessful executions of the state machine, errors of each Lambda, messages in each DLQ. */
export function operationalAlarmSpecs<T>(name: string, stateMachineArn: T, steps: readonly WatchedStep<T>[]) {
  const specs = stateMachineAlarmSpecs(name, stateMachineArn);
  for (const step of steps)
    specs.push(
      {
        ...anyInFiveMinutes,
        name: `${step.prefix}-errors`,
        description: `rds-replication ${step.key}: Lambda errors`,
        namespace: "AWS/Lambda",
        metricName: "Errors",
        statistic: "Sum",
        dimensions: { FunctionName: step.functionName },
      },
      {
        ...anyInFiveMinutes,
        name: `${step.prefix}-dlq-depth`,
        description: `rds-replication ${step.key}: events in the dead-letter queue`,
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        statistic: "Maximum",
        dimensions: { QueueName: step.queueName },
      },
    );
  return specs;
}

/** The dimensions of the engine's lag metric: all databases together, or one database. */
export function lagDimensions(database?: string): Record<string, string> {
  return { service: SERVICE, step: LAG_STEP, ...(database ? { [DATABASE_DIMENSION]: database } : {}) };
}

/**
 * Replication lag is emitted once per finished copy (source snapshot creation to copy available). The RPO is
 * missed when, for `hours` hourly periods in a row, no copy arrived within the RPO: each hour's best (Minimum)
 * lag is above it, or no copy arrived at all (missing data breaches). One alarm over every database with the
 * default RPO, one per database with an override.
 */
export function lagAlarmSpecs(name: string, rpo: Rpo): AlarmSpec[] {
  const spec = (hours: number, database?: string): AlarmSpec => ({
    name: database ? `${name}-replication-lag-${database}` : `${name}-replication-lag`,
    description:
      `rds-replication ${name}: no copy ${database ? `of ${database} ` : ""}arrived within the RPO of ${hours} h ` +
      `(replication lag = source snapshot creation to copy available) during the last ${hours} h`,
    namespace: METRICS_NAMESPACE,
    metricName: ENGINE_METRICS.replicationLag,
    statistic: "Minimum",
    dimensions: lagDimensions(database),
    comparisonOperator: "GreaterThanThreshold",
    threshold: hours * HOUR,
    period: HOUR,
    evaluationPeriods: hours,
    datapointsToAlarm: hours,
    treatMissingData: "breaching",
  });
  return [
    spec(rpo.defaultHours),
    ...Object.entries(rpo.overrides ?? {})
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([database, hours]) => spec(hours, database)),
  ];
}

/** Dest stacks: the copy step's count of manual snapshots per kind once a copy starts (functions/steps/consumer/copy.ts). */
export const MANUAL_SNAPSHOTS = { metricName: ENGINE_METRICS.manualSnapshots, step: "consumer-copy" } as const;
/** The share of the manual snapshot quota at which the alarm fires. */
export const SNAPSHOT_QUOTA_ALARM_RATIO = 0.8;

/**
 * The manual snapshot quota nearly used up, per kind (instances and clusters have a quota each): at 80 % an
 * operator still has room to raise the quota or prune before a copy fails with SnapshotQuotaExceeded.
 */
export function snapshotQuotaAlarmSpecs(name: string, quota: number): AlarmSpec[] {
  const threshold = Math.ceil(quota * SNAPSHOT_QUOTA_ALARM_RATIO);
  return (["instance", "cluster"] as const).map((kind) => ({
    name: `${name}-manual-snapshots-${kind}`,
    description:
      `rds-replication ${name}: ${threshold} or more manual ${kind} snapshots in this region, ` +
      `${SNAPSHOT_QUOTA_ALARM_RATIO * 100} % of the quota of ${quota}: raise the quota or prune before copies fail`,
    namespace: METRICS_NAMESPACE,
    metricName: MANUAL_SNAPSHOTS.metricName,
    statistic: "Maximum",
    dimensions: { service: SERVICE, step: MANUAL_SNAPSHOTS.step, kind },
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    threshold,
    period: HOUR,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: "notBreaching",
  }));
}

/** The restore-test step that records each test's time to available (functions/steps/consumer/restoreTest.ts). */
export const RESTORE_TEST_SECONDS = {
  metricName: ENGINE_METRICS.restoreTestSeconds,
  step: "consumer-restore-test-verify",
} as const;

/** A database's restore test and its recovery time objective. */
export interface RestoreTestWatch {
  readonly database: string;
  readonly rtoMinutes: number;
}

/**
 * Per tested database, the RTO missed: a test's time to available above the target. A test that fails outright
 * is alarmed by its state machine's ExecutionsFailed (stateMachineAlarmSpecs); no test at all is not a breach.
 */
export function restoreTestAlarmSpecs(name: string, tests: readonly RestoreTestWatch[]): AlarmSpec[] {
  return tests.map((t) => ({
    name: `${name}-restore-test-rto-${t.database}`,
    description:
      `rds-replication ${name}: the restore test of ${t.database} took longer than its RTO of ${t.rtoMinutes} min ` +
      "to become available (docs/operations.md, Restore tests)",
    namespace: METRICS_NAMESPACE,
    metricName: RESTORE_TEST_SECONDS.metricName,
    statistic: "Maximum",
    dimensions: { service: SERVICE, step: RESTORE_TEST_SECONDS.step, [DATABASE_DIMENSION]: t.database },
    comparisonOperator: "GreaterThanThreshold",
    threshold: t.rtoMinutes * 60,
    period: HOUR,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: "notBreaching",
  }));
}

export interface DashboardInput {
  readonly title: string;
  readonly region: string;
  readonly stateMachineArn: string;
  readonly steps: readonly WatchedStep[];
  /** Dest stacks: the RPO drawn on the lag graph. */
  readonly rpo?: Rpo;
  /** Dest stacks with restore tests: each database's time to available against its RTO. */
  readonly restoreTests?: readonly RestoreTestWatch[];
}

type MetricRow = (string | Record<string, unknown>)[];

const metricRow = (namespace: string, metricName: string, dimensions: Record<string, string>, options = {}) => [
  namespace,
  metricName,
  ...Object.entries(dimensions).flat(),
  options,
];

const engineSearch = (metricName: string, dimensionKeys: string[], statistic: string, period: number) => ({
  expression: `SEARCH('{${METRICS_NAMESPACE},${dimensionKeys.join(",")}} MetricName="${metricName}"', '${statistic}', ${period})`,
  label: metricName,
});

/** The stack's dashboard: executions, failures, lag per database, copy durations, DLQ depth. */
export function dashboardBody(input: DashboardInput): { widgets: object[] } {
  const widget = (title: string, metrics: MetricRow[], extra: Record<string, unknown> = {}) => ({
    type: "metric",
    width: 12,
    height: 6,
    properties: { title, region: input.region, view: "timeSeries", stat: "Sum", period: 300, metrics, ...extra },
  });
  const machine = { StateMachineArn: input.stateMachineArn };
  const widgets = [
    widget(
      "Executions",
      ["ExecutionsStarted", "ExecutionsSucceeded", "ExecutionsFailed", "ExecutionsTimedOut"].map((m) =>
        metricRow("AWS/States", m, machine),
      ),
    ),
    widget("Failures by step and error class, Lambda errors", [
      [engineSearch(ENGINE_METRICS.failures, ["kind", "service", "step"], "Sum", 300)],
      ...input.steps.map((s) => metricRow("AWS/Lambda", "Errors", { FunctionName: s.functionName }, { label: s.key })),
    ]),
    widget(
      "Copies finished and their duration (s), by the step that saw them finish",
      // The poll step (cluster copies), the copy-finished registrar or event handler (instance copies).
      [
        [engineSearch(ENGINE_METRICS.snapshotsCopied, ["service", "step"], "Sum", 3600)],
        [{ ...engineSearch(ENGINE_METRICS.copyDuration, ["service", "step"], "Maximum", 3600), yAxis: "right" }],
      ],
      { period: 3600 },
    ),
    widget(
      "Bytes copied (provisioned size of the copied snapshots)",
      [[engineSearch(ENGINE_METRICS.bytesCopied, ["service", "step"], "Sum", 3600)]],
      { period: 3600 },
    ),
    widget(
      "Dead-letter queue depth",
      input.steps.map((s) =>
        metricRow("AWS/SQS", "ApproximateNumberOfMessagesVisible", { QueueName: s.queueName }, { label: s.key }),
      ),
      { stat: "Maximum" },
    ),
  ];
  if (input.rpo)
    widgets.push(
      widget(
        "Replication lag (s): all databases and per database",
        [
          metricRow(METRICS_NAMESPACE, ENGINE_METRICS.replicationLag, lagDimensions(), { label: "all databases" }),
          [engineSearch(ENGINE_METRICS.replicationLag, [DATABASE_DIMENSION, "service", "step"], "Maximum", 3600)],
        ],
        {
          stat: "Maximum",
          period: 3600,
          annotations: {
            horizontal: [{ label: `RPO ${input.rpo.defaultHours} h`, value: input.rpo.defaultHours * HOUR }],
          },
        },
      ),
    );
  if (input.restoreTests?.length)
    widgets.push(
      widget(
        "Restore tests: time to available (s) per database",
        [[engineSearch(RESTORE_TEST_SECONDS.metricName, [DATABASE_DIMENSION, "service", "step"], "Maximum", 86400)]],
        {
          stat: "Maximum",
          period: 86400,
          annotations: {
            horizontal: input.restoreTests.map((t) => ({
              label: `RTO ${t.database} ${t.rtoMinutes} min`,
              value: t.rtoMinutes * 60,
            })),
          },
        },
      ),
    );
  return {
    widgets: [{ type: "text", width: 24, height: 1, properties: { markdown: `# ${input.title}` } }, ...widgets],
  };
}

export interface WatchArgs {
  /** The component's `namePrefix`: the dashboard's name and title start with it. */
  readonly namePrefix: string;
  readonly region: string;
  readonly stateMachine: aws.sfn.StateMachine;
  /** Further state machines of the component (the producer's per-database one), alarmed the same way. */
  readonly otherStateMachines?: Readonly<Record<string, aws.sfn.StateMachine>>;
  readonly steps: ReadonlyMap<string, BuiltStep>;
  readonly topic: aws.sns.Topic;
  /** Dest stacks: lag alarms and the lag graph. */
  readonly rpo?: Rpo;
  /** Dest stacks: the manual snapshot quota the 80 % alarms watch. */
  readonly manualSnapshotQuota?: number;
  /** Dest stacks: the RTO alarms and graph of the restore tests. */
  readonly restoreTests?: readonly RestoreTestWatch[];
}

const watched = (steps: ReadonlyMap<string, BuiltStep>): WatchedStep<pulumi.Output<string>>[] =>
  [...steps.values()].map((s) => ({
    key: s.step.key,
    prefix: s.prefix,
    functionName: s.fn.name,
    queueName: s.deadLetterQueue.name,
  }));

/** The alarms (each to the notifications topic, also when it clears) and the dashboard of a component. */
export function watch(name: string, args: WatchArgs, parent: pulumi.Resource) {
  const steps = watched(args.steps);
  const specs: AlarmSpec<pulumi.Input<string>>[] = [
    ...operationalAlarmSpecs<pulumi.Input<string>>(name, args.stateMachine.arn, steps),
    ...Object.entries(args.otherStateMachines ?? {}).flatMap(([machineName, machine]) =>
      stateMachineAlarmSpecs<pulumi.Input<string>>(machineName, machine.arn),
    ),
    ...(args.rpo ? lagAlarmSpecs(name, args.rpo) : []),
    ...(args.manualSnapshotQuota ? snapshotQuotaAlarmSpecs(name, args.manualSnapshotQuota) : []),
    ...restoreTestAlarmSpecs(name, args.restoreTests ?? []),
  ];
  const alarms = specs.map(
    ({ name: alarmName, description, ...spec }) =>
      new aws.cloudwatch.MetricAlarm(
        alarmName,
        { ...spec, alarmDescription: description, alarmActions: [args.topic.arn], okActions: [args.topic.arn] },
        { parent },
      ),
  );
  const names = pulumi.all(
    steps.map((s) =>
      pulumi
        .all([s.functionName, s.queueName])
        .apply(([functionName, queueName]) => ({ ...s, functionName, queueName })),
    ),
  );
  const dashboard = new aws.cloudwatch.Dashboard(
    `${name}-dashboard`,
    {
      dashboardName: physicalName(args.namePrefix, name),
      dashboardBody: pulumi.all([args.stateMachine.arn, names]).apply(([stateMachineArn, resolved]) =>
        JSON.stringify(
          dashboardBody({
            title: `${args.namePrefix}: ${name}`,
            region: args.region,
            stateMachineArn,
            steps: resolved,
            rpo: args.rpo,
            restoreTests: args.restoreTests,
          }),
        ),
      ),
    },
    { parent },
  );
  return { alarms, dashboard };
}
