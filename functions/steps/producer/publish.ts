// Shares the (transit) snapshot with the destination accounts of its region, then publishes one versioned
// announcement per account. Both are idempotent: adding an account already in `restore` is a no-op and a
// repeated announcement is absorbed by the consumer's execution name.
import { PublishCommand } from "@aws-sdk/client-sns";
import { rdsIn, snsIn } from "../../aws/clients";
import { observe, runStep } from "../../aws/observability";
import { shareSnapshot } from "../../aws/snapshots";
import { type Announcement, DESTINATION_ATTRIBUTE } from "../../contracts/announcement";
import { loadProducerConfig } from "../../contracts/runtimeConfig";
import { regionOfArn } from "../../decisions/arn";
import { classifyAwsError } from "../../decisions/errors";
import type { Transit } from "./transit";

export interface Published {
  region: string;
  snapshotArn: string;
  sharedWith: string[];
  messageIds: string[];
}

export async function publish(transit: Transit): Promise<Published> {
  const obs = observe("producer-publish", { database: transit.database, snapshotArn: transit.snapshot.arn });
  return runStep(obs, async () => {
    const config = await loadProducerConfig();
    try {
      await shareSnapshot(rdsIn(transit.region), transit.kind, transit.snapshot.id, transit.accounts);
    } catch (error) {
      throw classifyAwsError(error, { operation: `share ${transit.snapshot.arn} with ${transit.accounts.join(", ")}` });
    }
    const sns = snsIn(regionOfArn(config.announceTopicArn));
    const messageIds: string[] = [];
    for (const account of transit.accounts) {
      const announcement: Announcement = {
        ...transit.announcement,
        destinationAccount: account,
        destinationRegion: transit.region,
        announcedAt: new Date().toISOString(),
      };
      try {
        const out = await sns.send(
          new PublishCommand({
            TopicArn: config.announceTopicArn,
            Message: JSON.stringify(announcement),
            // Each consumer subscription filters on it (destinationFilterPolicy): only its own account's reach it.
            MessageAttributes: { [DESTINATION_ATTRIBUTE]: { DataType: "String", StringValue: account } },
          }),
        );
        messageIds.push(out.MessageId ?? "");
      } catch (error) {
        throw classifyAwsError(error, { operation: `announce ${transit.snapshot.arn} to ${account}` });
      }
    }
    obs.logger.info("shared and announced", { accounts: transit.accounts, messageIds });
    return { region: transit.region, snapshotArn: transit.snapshot.arn, sharedWith: transit.accounts, messageIds };
  });
}
