// Subscribed to the producer's topic: validates each announcement and starts the consumer state machine
// for it. A rejected announcement is logged, notified and dropped (nothing is copied, SNS does not redeliver);
// a duplicate delivery hits the same execution name and is a no-op while that run is running or succeeded.
// Re-publishing the announcement of a failed run starts its next attempt (functions/aws/executions.ts).

import { sfnClient } from "../../aws/clients";
import { MAX_ATTEMPTS, startAttempt } from "../../aws/executions";
import { ENGINE_METRICS, MetricUnit, observe, runStep } from "../../aws/observability";
import { validateAnnouncement } from "../../contracts/announcement";
import { loadConsumerConfig, STATE_MACHINE_VARIABLE } from "../../contracts/runtimeConfig";
import { ignoredBy } from "../../decisions/destinationRules";
import { replicationError } from "../../decisions/errors";
import { executionName } from "../../decisions/naming";
import { ignoredNotification } from "../../decisions/notificationMessage";
import { publishNotification } from "../notify";

export interface SnsEvent {
  Records: { EventSource?: string; Sns: { Message: string; TopicArn?: string; MessageId?: string } }[];
}

export interface IntakeResult {
  started: string[];
  duplicates: string[];
  rejected: { messageId?: string; reason: string }[];
  /** Announced snapshots of databases whose lifecycle is `Ignore`: no run started, reported once each. */
  ignored: string[];
}

export async function intake(event: SnsEvent): Promise<IntakeResult> {
  const obs = observe("consumer-intake", {});
  return runStep(obs, async () => {
    const config = await loadConsumerConfig();
    const stateMachineArn = process.env[STATE_MACHINE_VARIABLE];
    if (!stateMachineArn) throw replicationError("ConfigInvalid", `${STATE_MACHINE_VARIABLE} is not set`);
    const result: IntakeResult = { started: [], duplicates: [], rejected: [], ignored: [] };
    for (const record of event.Records ?? []) {
      const { Message, TopicArn, MessageId } = record.Sns;
      const checked = validateAnnouncement(Message, config, TopicArn);
      if (!checked.ok) {
        obs.logger.error("announcement rejected: nothing copied", {
          reason: checked.reason,
          messageId: MessageId,
          topicArn: TopicArn,
        });
        obs.countFailure("InvalidAnnouncement");
        result.rejected.push({ messageId: MessageId, reason: checked.reason });
        await publishNotification(config.notifyTopicArn, {
          subject: "rds-replication consumer rejected an announcement",
          outcome: "failed",
          side: "consumer",
          what: [`SNS message ${MessageId ?? "?"} from ${TopicArn ?? "?"}`],
          where: [`${config.account}/${config.region}`],
          failures: [{ item: MessageId ?? "?", error: "InvalidAnnouncement", cause: checked.reason }],
          deletions: [],
          summary: `Announcement rejected, nothing copied: ${checked.reason}`,
        });
        continue;
      }
      const a = checked.announcement;
      const ignored = ignoredBy(a, config.retention.tagKey);
      if (ignored) {
        obs.logger.info("announcement ignored: nothing copied", { snapshotArn: a.snapshotArn, lifecycle: ignored });
        result.ignored.push(a.snapshotArn);
        const here = { account: config.account, region: config.region };
        await publishNotification(config.notifyTopicArn, ignoredNotification(a, ignored, here));
        continue;
      }
      const run = await startAttempt(sfnClient(), stateMachineArn, executionName(a.snapshotArn), JSON.stringify(a));
      if (run.outcome === "started") {
        obs.logger.info("consumer run started", {
          snapshotArn: a.snapshotArn,
          execution: run.executionArn,
          attempt: run.attempt,
        });
        obs.metric(ENGINE_METRICS.announcementsAccepted, MetricUnit.Count, 1);
        result.started.push(run.executionArn);
      } else if (run.outcome === "duplicate") {
        obs.logger.info("duplicate announcement: its run exists", { snapshotArn: a.snapshotArn, ...run });
        result.duplicates.push(run.name);
      } else {
        const reason = `every one of the ${MAX_ATTEMPTS} runs of ${a.snapshotArn} failed; not started again`;
        obs.logger.error("re-run refused: attempts exhausted", { snapshotArn: a.snapshotArn, last: run.name });
        result.rejected.push({ messageId: MessageId, reason });
      }
    }
    return result;
  });
}
