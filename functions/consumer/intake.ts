// Subscribed to the producer's topic: validates each announcement and starts the consumer state machine
// for it. A rejected announcement is logged, notified and dropped (nothing is copied, SNS does not redeliver);
// a duplicate delivery hits the same execution name and is a no-op.
import { StartExecutionCommand } from "@aws-sdk/client-sfn";
import { validateAnnouncement } from "../announcement";
import { sfnClient } from "../aws";
import { classifyAwsError, replicationError } from "../errors";
import { executionName } from "../naming";
import { publishNotification } from "../notify";
import { MetricUnit, observe, runStep } from "../observability";
import { loadConsumerConfig, STATE_MACHINE_VARIABLE } from "../runtimeConfig";

export interface SnsEvent {
  Records: { EventSource?: string; Sns: { Message: string; TopicArn?: string; MessageId?: string } }[];
}

export interface IntakeResult {
  started: string[];
  duplicates: string[];
  rejected: { messageId?: string; reason: string }[];
}

export async function intake(event: SnsEvent): Promise<IntakeResult> {
  const obs = observe("consumer-intake", {});
  return runStep(obs, async () => {
    const config = await loadConsumerConfig();
    const stateMachineArn = process.env[STATE_MACHINE_VARIABLE];
    if (!stateMachineArn) throw replicationError("ConfigInvalid", `${STATE_MACHINE_VARIABLE} is not set`);
    const result: IntakeResult = { started: [], duplicates: [], rejected: [] };
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
      const name = executionName(a.snapshotArn);
      try {
        const out = await sfnClient().send(
          new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(a) }),
        );
        obs.logger.info("consumer run started", { snapshotArn: a.snapshotArn, execution: out.executionArn });
        obs.metrics.addMetric("AnnouncementsAccepted", MetricUnit.Count, 1);
        result.started.push(out.executionArn ?? name);
      } catch (error) {
        if ((error as Error).name === "ExecutionAlreadyExists") {
          obs.logger.info("duplicate announcement: run already exists", { snapshotArn: a.snapshotArn, name });
          result.duplicates.push(name);
          continue;
        }
        throw classifyAwsError(error, { operation: `start consumer run ${name}` });
      }
    }
    return result;
  });
}
