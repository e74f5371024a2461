// Publishes the success/failure notification of a run on the side's notify topic.
import { PublishCommand } from "@aws-sdk/client-sns";
import { snsIn } from "../aws/clients";
import { DATABASE_DIMENSION, ENGINE_METRICS, MetricUnit, observe, runStep } from "../aws/observability";
import { loadConsumerConfig, loadProducerConfig } from "../contracts/runtimeConfig";
import { regionOfArn } from "../decisions/arn";
import { buildNotification, type Notification, type NotifyEvent } from "../decisions/notificationMessage";

export interface NotifyResult {
  outcome: Notification["outcome"];
  failed: number;
  messageId?: string;
}

export async function publishNotification(topicArn: string, notification: Notification): Promise<string | undefined> {
  const out = await snsIn(regionOfArn(topicArn)).send(
    new PublishCommand({
      TopicArn: topicArn,
      Subject: notification.subject,
      Message: JSON.stringify(notification),
      MessageAttributes: { outcome: { DataType: "String", StringValue: notification.outcome } },
    }),
  );
  return out.MessageId;
}

export async function notify(event: NotifyEvent): Promise<NotifyResult> {
  const obs = observe(`${event.side}-notify`, { execution: event.execution });
  return runStep(obs, async () => {
    const config = event.side === "producer" ? await loadProducerConfig() : await loadConsumerConfig();
    const notification = buildNotification(event, new Date());
    const messageId = await publishNotification(config.notifyTopicArn, notification);
    if (event.side === "consumer" && notification.outcome === "succeeded") {
      const announcement = event.state.announcement as
        | { snapshotCreateTime?: string; sourceDatabase?: string }
        | undefined;
      if (announcement?.snapshotCreateTime) {
        const lag = Math.max(0, (Date.now() - Date.parse(announcement.snapshotCreateTime)) / 1000);
        obs.metric(ENGINE_METRICS.replicationLag, MetricUnit.Seconds, lag);
        // Also per database, for the alarms of databases with their own RPO.
        if (announcement.sourceDatabase)
          obs.metric(ENGINE_METRICS.replicationLag, MetricUnit.Seconds, lag, {
            [DATABASE_DIMENSION]: announcement.sourceDatabase,
          });
      }
    }
    obs.logger.info("notified", { notification });
    return { outcome: notification.outcome, failed: notification.failures.length, messageId };
  });
}
