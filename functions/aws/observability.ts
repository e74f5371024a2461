// Structured JSON logs and EMF metrics for every step. Built per invocation (never at module level) so the
// Pulumi closure serializer captures the factory, not a Logger/Metrics instance.
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";

export const SERVICE = "rds-replication";
export const METRICS_NAMESPACE = "RdsReplication";

export interface Correlation {
  snapshotArn?: string;
  execution?: string;
  database?: string;
}

export interface Observability {
  logger: Logger;
  metrics: Metrics;
  /** Count a failure by its error class (the `Failures` metric with a `kind` dimension). */
  countFailure(kind: string): void;
  /** Flush metrics; call once at the end of the invocation, also on failure. */
  flush(): void;
}

export function observe(step: string, correlation: Correlation): Observability {
  const logger = new Logger({ serviceName: SERVICE, persistentKeys: { step, ...dropEmpty(correlation) } });
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE, defaultDimensions: { step } });
  return {
    logger,
    metrics,
    countFailure(kind) {
      const single = metrics.singleMetric();
      single.addDimension("kind", kind);
      single.addMetric("Failures", MetricUnit.Count, 1);
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
