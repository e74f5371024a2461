// Alarms and dashboards of both stacks under mocks, checked against what the engine really emits: metric
// names from ENGINE_METRICS (the only names Observability.metric takes; tests/e2e/events-limits-metrics.test.ts
// reads them from the serialized handlers' output), dimensions from the EMF that functions/aws/observability.ts writes.
import * as assert from "node:assert/strict";
import { LAG_STEP, lagDimensions, POLL_STEP } from "../../../components/observability";
import {
  DATABASE_DIMENSION,
  ENGINE_METRICS,
  type EngineMetric,
  METRICS_NAMESPACE,
  observe,
  SERVICE,
} from "../../../functions/aws/observability";
import { stepsOf } from "../../../functions/catalog";
import { evaluateStack, type StackEvaluation, stackFileConfig } from "../../../testkit";
import { shortKey } from "./stackAssertions";

const SOURCE_STACK = "acme/rds-replication/source";

const ENGINE_METRIC_NAMES: ReadonlySet<string> = new Set(Object.values(ENGINE_METRICS));

/** The EMF records the engine's observe() prints for one metric of a step. */
function emf(step: string, emit: (o: ReturnType<typeof observe>) => void) {
  const saved = process.env.POWERTOOLS_METRICS_DISABLED;
  process.env.POWERTOOLS_METRICS_DISABLED = "false";
  const write = process.stdout.write;
  let printed = "";
  process.stdout.write = ((chunk: string) => {
    printed += chunk;
    return true;
  }) as typeof process.stdout.write;
  try {
    const o = observe(step, { execution: "arn:aws:states:eu-central-1:222222222222:execution:m:run" });
    emit(o);
    o.flush();
  } finally {
    process.stdout.write = write;
    if (saved === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
    else process.env.POWERTOOLS_METRICS_DISABLED = saved;
  }
  return printed
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown> & { _aws: { CloudWatchMetrics: EmfDirective[] } });
}
interface EmfDirective {
  Namespace: string;
  Dimensions: string[][];
  Metrics: { Name: string }[];
}

/** The dimensions (name -> value) of the one EMF record the engine prints for `metric` in `step`. */
function engineDimensions(step: string, metric: EngineMetric): Record<string, string> {
  const [record] = emf(step, (o) => o.metric(metric, "Seconds", 1));
  const directive = record!._aws.CloudWatchMetrics[0]!;
  assert.equal(directive.Namespace, METRICS_NAMESPACE);
  assert.deepEqual(
    directive.Metrics.map((m) => m.Name),
    [metric],
  );
  assert.equal(directive.Dimensions.length, 1, "one dimension set");
  return Object.fromEntries(directive.Dimensions[0]!.map((d) => [d, String(record![d])]));
}

const sortedKeys = (o: object) => Object.keys(o).sort();

describe("observability: alarms and dashboards", () => {
  let source: StackEvaluation;
  let dest: StackEvaluation;
  const arnIn = (stack: StackEvaluation, name: string) => String(stack.named(name).state.arn);

  before(async () => {
    source = await evaluateStack({ config: stackFileConfig("source") });
    dest = await evaluateStack({
      config: stackFileConfig("dest"),
      stackOutputs: { [SOURCE_STACK]: source.outputs },
    });
  });

  it("the engine prints each metric of the table under its own name; failures carry their kind", () => {
    assert.equal(ENGINE_METRIC_NAMES.size, Object.keys(ENGINE_METRICS).length, "names are distinct");
    for (const name of Object.values(ENGINE_METRICS)) {
      const [record] = emf(LAG_STEP, (o) => o.metric(name, "Count", 1));
      assert.deepEqual(
        record!._aws.CloudWatchMetrics[0]!.Metrics.map((m) => m.Name),
        [name],
      );
    }
    const [failure] = emf(POLL_STEP, (o) => o.countFailure("ThrottlingException"));
    assert.deepEqual(
      failure!._aws.CloudWatchMetrics[0]!.Metrics.map((m) => m.Name),
      [ENGINE_METRICS.failures],
    );
    assert.equal(failure!.kind, "ThrottlingException");
    assert.ok(
      stepsOf("consumer").some((s) => s.key === LAG_STEP),
      "the lag comes from a consumer catalog step",
    );
  });

  it("the stack-wide lag alarm reads exactly the dimensions the engine writes", () => {
    assert.deepEqual(engineDimensions(LAG_STEP, ENGINE_METRICS.replicationLag), lagDimensions());
    assert.deepEqual(engineDimensions(POLL_STEP, ENGINE_METRICS.copyDuration), {
      service: SERVICE,
      step: POLL_STEP,
    });
    const [failure] = emf("consumer-copy", (o) => o.countFailure("Throttled"));
    assert.deepEqual(failure!._aws.CloudWatchMetrics[0]!.Dimensions, [["service", "step", "kind"]]);
  });

  it("a dest stack has exactly the expected alarms, thresholds and actions", () => {
    const topic = arnIn(dest, "consumer-notifications");
    const machine = arnIn(dest, "consumer-state-machine");
    const alarms = new Map(
      dest.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => [
        a.name,
        {
          what: [a.inputs.namespace, a.inputs.metricName, a.inputs.statistic, a.inputs.dimensions],
          when: [
            a.inputs.comparisonOperator,
            a.inputs.threshold,
            a.inputs.period,
            a.inputs.evaluationPeriods,
            a.inputs.datapointsToAlarm,
            a.inputs.treatMissingData,
          ],
          actions: [a.inputs.alarmActions, a.inputs.okActions],
        },
      ]),
    );
    const anyInFiveMinutes = ["GreaterThanOrEqualToThreshold", 1, 300, 1, 1, "notBreaching"];
    const expected = new Map<string, { what: unknown[]; when: unknown[] }>([
      [
        "consumer-state-machine-ExecutionsFailed",
        { what: ["AWS/States", "ExecutionsFailed", "Sum", { StateMachineArn: machine }], when: anyInFiveMinutes },
      ],
      [
        "consumer-state-machine-ExecutionsTimedOut",
        { what: ["AWS/States", "ExecutionsTimedOut", "Sum", { StateMachineArn: machine }], when: anyInFiveMinutes },
      ],
      [
        "consumer-state-machine-ExecutionsAborted",
        { what: ["AWS/States", "ExecutionsAborted", "Sum", { StateMachineArn: machine }], when: anyInFiveMinutes },
      ],
      ...stepsOf("consumer").flatMap((step): [string, { what: unknown[]; when: unknown[] }][] => {
        const name = `consumer-${shortKey(step)}`;
        return [
          [`${name}-errors`, { what: ["AWS/Lambda", "Errors", "Sum", { FunctionName: name }], when: anyInFiveMinutes }],
          [
            `${name}-dlq-depth`,
            {
              what: ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "Maximum", { QueueName: `${name}-dlq` }],
              when: anyInFiveMinutes,
            },
          ],
        ];
      }),
      // Pulumi.dest.yaml: rpoHours 26, rpoOverrides orders-db=4.
      [
        "consumer-replication-lag",
        {
          what: [METRICS_NAMESPACE, ENGINE_METRICS.replicationLag, "Minimum", { service: SERVICE, step: LAG_STEP }],
          when: ["GreaterThanThreshold", 26 * 3600, 3600, 26, 26, "breaching"],
        },
      ],
      [
        "consumer-replication-lag-orders-db",
        {
          what: [
            METRICS_NAMESPACE,
            ENGINE_METRICS.replicationLag,
            "Minimum",
            { service: SERVICE, step: LAG_STEP, [DATABASE_DIMENSION]: "orders-db" },
          ],
          when: ["GreaterThanThreshold", 4 * 3600, 3600, 4, 4, "breaching"],
        },
      ],
      // 80 % of the default manual snapshot quota (100), per kind.
      ...(["instance", "cluster"] as const).map((kind): [string, { what: unknown[]; when: unknown[] }] => [
        `consumer-manual-snapshots-${kind}`,
        {
          what: [METRICS_NAMESPACE, "ManualSnapshots", "Maximum", { service: SERVICE, step: "consumer-copy", kind }],
          when: ["GreaterThanOrEqualToThreshold", 80, 3600, 1, 1, "notBreaching"],
        },
      ]),
      // Pulumi.dest.yaml's restore tests (orders-db shown): a failed test fails its state machine's execution, a
      // slow one is above its RTO of 45 minutes.
      ...(["ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted"] as const).map(
        (metric): [string, { what: unknown[]; when: unknown[] }] => [
          `consumer-restore-test-state-machine-${metric}`,
          {
            what: [
              "AWS/States",
              metric,
              "Sum",
              { StateMachineArn: arnIn(dest, "consumer-restore-test-state-machine") },
            ],
            when: anyInFiveMinutes,
          },
        ],
      ),
      [
        "consumer-restore-test-rto-orders-db",
        {
          what: [
            METRICS_NAMESPACE,
            "RestoreTestSeconds",
            "Maximum",
            { service: SERVICE, step: "consumer-restore-test-verify", [DATABASE_DIMENSION]: "orders-db" },
          ],
          when: ["GreaterThanThreshold", 45 * 60, 3600, 1, 1, "notBreaching"],
        },
      ],
      // And of billing-aurora (SELECT 1 through the Data API), at the default RTO of 60 minutes.
      [
        "consumer-restore-test-rto-billing-aurora",
        {
          what: [
            METRICS_NAMESPACE,
            "RestoreTestSeconds",
            "Maximum",
            { service: SERVICE, step: "consumer-restore-test-verify", [DATABASE_DIMENSION]: "billing-aurora" },
          ],
          when: ["GreaterThanThreshold", 60 * 60, 3600, 1, 1, "notBreaching"],
        },
      ],
    ]);
    assert.deepEqual([...alarms.keys()].sort(), [...expected.keys()].sort());
    for (const [name, { what, when }] of expected) {
      const alarm = alarms.get(name)!;
      assert.deepEqual(alarm.what, what, name);
      assert.deepEqual(alarm.when, when, name);
      assert.deepEqual(alarm.actions, [[topic], [topic]], `${name} notifies when it fires and when it clears`);
    }
  });

  it("a source stack has no lag alarm (lag is measured where copies land)", () => {
    const names = source.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => a.name);
    // Three per state machine (dispatch and per-database), two per step.
    assert.equal(names.length, 2 * 3 + 2 * stepsOf("producer").length);
    assert.ok(names.every((n) => !n.includes("replication-lag")));
  });

  for (const [side, component] of [
    ["dest", "consumer"],
    ["source", "producer"],
  ] as const) {
    it(`the ${side} stack's dashboard is valid JSON over metrics that exist`, () => {
      const stack = side === "dest" ? dest : source;
      const steps = stepsOf(component);
      const functionNames = new Set(steps.map((s) => `${component}-${shortKey(s)}`));
      const queueNames = new Set(steps.map((s) => `${component}-${shortKey(s)}-dlq`));
      const board = stack.named(`${component}-dashboard`);
      assert.match(String(board.inputs.dashboardName), /^[A-Za-z0-9_-]+$/);
      const body = JSON.parse(String(board.inputs.dashboardBody)) as {
        widgets: { type: string; properties: { title?: string; region?: string; metrics?: unknown[][] } }[];
      };
      const graphs = body.widgets.filter((w) => w.type === "metric");
      const titles = graphs.map((w) => w.properties.title ?? "");
      for (const topic of [/Executions/, /Failures/, /duration/, /Dead-letter/])
        assert.ok(
          titles.some((t) => topic.test(t)),
          `${topic} graph in ${titles.join(", ")}`,
        );
      assert.equal(
        titles.some((t) => /lag/.test(t)),
        side === "dest",
        "lag per database on the dest dashboard",
      );
      for (const graph of graphs) {
        assert.equal(graph.properties.region, side === "dest" ? "eu-central-1" : "eu-west-1");
        for (const row of graph.properties.metrics ?? []) {
          const first = row[0];
          if (typeof first === "object" && first && "expression" in first) {
            const expression = String((first as { expression: string }).expression);
            const search = /^SEARCH\('\{(\w+),([\w,]+)\} MetricName="(\w+)"', '(Sum|Maximum)', \d+\)$/.exec(expression);
            assert.ok(search, expression);
            assert.equal(search[1], METRICS_NAMESPACE);
            assert.ok(ENGINE_METRIC_NAMES.has(search[3]!), search[3]);
            continue;
          }
          const [namespace, metric, ...rest] = row as string[];
          const dims = Object.fromEntries(
            rest.flatMap((v, i, all) => (i % 2 === 0 && typeof all[i + 1] === "string" ? [[v, all[i + 1]]] : [])),
          );
          if (namespace === "AWS/States")
            assert.deepEqual(dims, { StateMachineArn: arnIn(stack, `${component}-state-machine`) });
          else if (namespace === "AWS/Lambda") assert.ok(functionNames.has(dims.FunctionName!), dims.FunctionName);
          else if (namespace === "AWS/SQS") assert.ok(queueNames.has(dims.QueueName!), dims.QueueName);
          else {
            assert.equal(namespace, METRICS_NAMESPACE);
            assert.ok(ENGINE_METRIC_NAMES.has(metric!), metric);
            assert.deepEqual(sortedKeys(dims), ["service", "step"]);
            assert.ok([LAG_STEP, POLL_STEP].includes(dims.step!), dims.step);
          }
        }
      }
    });
  }
});
