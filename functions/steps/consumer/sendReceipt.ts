// Tells the source that this destination is done with an announced snapshot: its copy is available
// ("copied"), or the run gave up on it ("gave-up": admission expired, the copy failed or was discarded), so
// the producer may prune its transit copy once every destination it was shared with is done
// (functions/decisions/transitReceipts.ts). Sent on the receipt topic the source made for this account and
// region, the only one this account may publish to; a source without receipt topics (an older stack) gets none.
// Best effort: the state machine goes on when it fails, the producer's bound covers a lost receipt.
import { PublishCommand } from "@aws-sdk/client-sns";
import { snsIn } from "../../aws/clients";
import { observe, runStep } from "../../aws/observability";
import { type Announcement, validateAnnouncement } from "../../contracts/announcement";
import { RECEIPT_VERSION, type Receipt, type ReceiptOutcome } from "../../contracts/receiptMessage";
import { loadConsumerConfig } from "../../contracts/runtimeConfig";

export interface ReceiptInput {
  announcement: Announcement;
  outcome: ReceiptOutcome;
  execution?: string;
}

export interface ReceiptSent {
  sent: boolean;
  topicArn?: string;
}

export async function sendReceipt(input: ReceiptInput): Promise<ReceiptSent> {
  const obs = observe("consumer-receipt", { snapshotArn: input.announcement?.snapshotArn, execution: input.execution });
  return runStep(obs, async () => {
    const config = await loadConsumerConfig();
    // The run's input is whatever started it: a refused announcement (a crafted run) is nobody's to receipt.
    const checked = validateAnnouncement(input.announcement, config);
    if (!checked.ok) {
      obs.logger.info("no receipt sent: the announcement was refused", { reason: checked.reason });
      return { sent: false };
    }
    const source = config.sources.find((s) => s.account === checked.announcement.sourceAccount);
    const topicArn = source?.receiptTopicArn;
    if (!topicArn) {
      obs.logger.info("no receipt sent: the source takes none", { source: checked.announcement.sourceAccount });
      return { sent: false };
    }
    const receipt: Receipt = {
      version: RECEIPT_VERSION,
      snapshotArn: checked.announcement.snapshotArn,
      outcome: input.outcome,
    };
    await snsIn(topicArn.split(":")[3]).send(
      new PublishCommand({ TopicArn: topicArn, Message: JSON.stringify(receipt) }),
    );
    obs.logger.info("receipt sent", { topicArn, outcome: input.outcome });
    return { sent: true, topicArn };
  });
}
