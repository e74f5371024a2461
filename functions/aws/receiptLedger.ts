// Receipts in the producer's DynamoDB table (the admission table, components/admission.ts): partition
// `receipts/<shared snapshot ARN>`, sort key the destination account the receipt came from (by its topic), so a
// repeated receipt overwrites itself and a destination has at most one per snapshot. TTL past the bound, when
// the receipt no longer matters (functions/decisions/transitReceipts.ts).
import { type DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import type { ReceiptOutcome } from "../contracts/receiptMessage";
import { RECEIPTS } from "../decisions/transitReceipts";
import { partitionItems } from "./admissionQueue";

const partition = (snapshotArn: string) => `receipts/${snapshotArn}`;

export async function recordReceipt(
  dynamodb: DynamoDBClient,
  table: string,
  receipt: { snapshotArn: string; account: string; outcome: ReceiptOutcome; nowSeconds: number },
): Promise<void> {
  await dynamodb.send(
    new PutItemCommand({
      TableName: table,
      Item: {
        queue: { S: partition(receipt.snapshotArn) },
        ticket: { S: receipt.account },
        outcome: { S: receipt.outcome },
        receivedAt: { N: String(Math.floor(receipt.nowSeconds)) },
        expiresAt: { N: String(Math.floor(receipt.nowSeconds + RECEIPTS.boundSeconds)) },
      },
    }),
  );
}

/** The accounts that sent a receipt for the snapshot (copied or gave up). */
export async function receiptedAccounts(dynamodb: DynamoDBClient, table: string, snapshotArn: string) {
  const items = await partitionItems(dynamodb, table, partition(snapshotArn));
  return items.map((item) => item.ticket?.S ?? "").filter((a) => a !== "");
}
