// Subscribed to every receipt topic of this source (one per destination account and region, whose policy lets
// only that account publish): records each receipt under the destination of the topic it came through. SNS
// sets TopicArn, the publisher cannot; the body's claims about who sent it are never read, so a destination
// cannot receipt for another. A receipt for a snapshot outside that destination's region or this account
// is refused (logged, not recorded). Prune reads the ledger (functions/steps/producer/prune.ts).
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { observe, runStep } from "../../aws/observability";
import { recordReceipt } from "../../aws/receiptLedger";
import { receiptSchema, snapshotPlace } from "../../contracts/receiptMessage";
import { loadProducerConfig } from "../../contracts/runtimeConfig";
import type { SnsEvent } from "../consumer/intake";

export interface ReceiptsRecorded {
  recorded: { snapshotArn: string; account: string; outcome: string }[];
  refused: { messageId?: string; reason: string }[];
}

export async function recordReceipts(event: SnsEvent): Promise<ReceiptsRecorded> {
  const obs = observe("producer-receipt", {});
  return runStep(obs, async () => {
    const config = await loadProducerConfig();
    const dynamodb = new DynamoDBClient({});
    const result: ReceiptsRecorded = { recorded: [], refused: [] };
    for (const record of event.Records ?? []) {
      const { Message, TopicArn, MessageId } = record.Sns;
      const refuse = (reason: string) => {
        obs.logger.warn("receipt refused: not recorded", { reason, messageId: MessageId, topicArn: TopicArn });
        result.refused.push({ messageId: MessageId, reason });
      };
      const from = (config.receiptTopics ?? []).find((t) => t.topicArn === TopicArn);
      if (!from) {
        refuse(`topic ${TopicArn ?? "?"} is not a receipt topic of this source`);
        continue;
      }
      let body: unknown;
      try {
        body = JSON.parse(Message);
      } catch {
        refuse("the message is not JSON");
        continue;
      }
      const parsed = receiptSchema().safeParse(body);
      if (!parsed.success) {
        refuse(`malformed receipt: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
        continue;
      }
      const place = snapshotPlace(parsed.data.snapshotArn);
      if (place?.account !== config.account || place.region !== from.region) {
        refuse(
          `snapshot ${parsed.data.snapshotArn} is not one this source shares in ${from.region}, ` +
            `where ${from.account} receives copies`,
        );
        continue;
      }
      const receipt = { snapshotArn: parsed.data.snapshotArn, account: from.account, outcome: parsed.data.outcome };
      await recordReceipt(dynamodb, config.admissionTable, { ...receipt, nowSeconds: Date.now() / 1000 });
      obs.logger.info("receipt recorded", receipt);
      result.recorded.push(receipt);
    }
    return result;
  });
}
