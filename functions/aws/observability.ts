// Structured JSON logs and EMF metrics for every step. Built per invocation (never at module level) so the
// Pulumi closure serializer captures the factory, not a Logger/Metrics instance.
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";

export const SERVICE = "rds-replication";
export const METRICS_NAMESPACE = "RdsReplication";

/**
 * Every metric the engine emits, in namespace METRICS_NAMESPACE with the `service` and `step` dimensions: the
 * one table the handlers emit through (`Observability.metric` takes nothing else), and the alarms, dashboards
 * and tests read. `Failures` also carries `kind`, the error class; the lag also comes per `database`.
 */
export const ENGINE_METRICS = {
  replicationLag: "ReplicationLagSeconds",
  copyDuration: "CopyDurationSeconds",
  bytesCopied: "SnapshotBytesCopied",
  snapshotsCopied: "SnapshotsCopied",
  failures: "Failures",
  announcementsAccepted: "AnnouncementsAccepted",
  /** Per `kind`: the region's manual snapshots once a copy starts (the 80 % quota alarms). */
  manualSnapshots: "ManualSnapshots",
  /** Per `database`: a restore test's time from restore start to available (its measured RTO). */
  restoreTestSeconds: "RestoreTestSeconds",
} as const;
export type EngineMetric = (typeof ENGINE_METRICS)[keyof typeof ENGINE_METRICS];
/** The per-database dimension of the lag, which the alarms of databases with an RPO override read. */
export const DATABASE_DIMENSION = "database";
type Unit = Parameters<Metrics["addMetric"]>[1];

export interface Correlation {
  snapshotArn?: string;
  execution?: string;
  database?: string;
}

export interface Observability {
  logger: Logger;
  /** Emits one of the engine's metrics; with `dimensions`, as a record of its own carrying them too. */
  metric(name: EngineMetric, unit: Unit, value: number, dimensions?: Record<string, string>): void;
  /** Count a failure by its error class (the `Failures` metric with a `kind` dimension). */
  countFailure(kind: string): void;
  /** Flush metrics; call once at the end of the invocation, also on failure. */
  flush(): void;
}

export function observe(step: string, correlation: Correlation): Observability {
  const logger = new Logger({ serviceName: SERVICE, persistentKeys: { step, ...dropEmpty(correlation) } });
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE, defaultDimensions: { step } });
  const metric: Observability["metric"] = (name, unit, value, dimensions = {}) => {
    if (Object.keys(dimensions).length === 0) {
      metrics.addMetric(name, unit, value);
      return;
    }
    const single = metrics.singleMetric();
    for (const [key, dimension] of Object.entries(dimensions)) single.addDimension(key, dimension);
    single.addMetric(name, unit, value);
  };
  return {
    logger,
    metric,
    countFailure(kind) {
      metric(ENGINE_METRICS.failures, MetricUnit.Count, 1, { kind });
    },
    flush() {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    },
  };
}

function dropEmpty(values: Correlation): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => typeof v === "string" && v.length > 0));
}

/**
 * Runs a step body with logging of its outcome: an error is logged with its class and counted, then rethrown
 * unchanged so the state machine's Retry/Catch see its name.
 */
export async function runStep<T>(obs: Observability, body: () => Promise<T>): Promise<T> {
  try {
    const result = await body();
    return result;
  } catch (error) {
    const name = (error as Error)?.name ?? "Error";
    obs.logger.error("step failed", { errorClass: name, error: error as Error });
    obs.countFailure(name);
    throw error;
  } finally {
    obs.flush();
  }
}

export { MetricUnit };
