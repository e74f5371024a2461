// The runs waiting for a copy's copy-finished event (functions/steps/copyAwait.ts), in the stack's admission
// table (components/admission.ts): one item per copy, keyed by the copy's snapshot ARN, holding the task token
// of the waiting Task and what the run's result needs. A newer turn's token replaces the older one; whoever
// completes the run first claims the item with a conditional delete, so a duplicated event finds nothing.
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";

export interface CopyWaiter {
  /** The copy's snapshot ARN. */
  arn: string;
  token: string;
  /** The run's state for the result (target, operation, poll progress, execution), as JSON. */
  state: string;
  /** Epoch seconds after which DynamoDB's TTL removes a waiter nobody claimed. */
  expiresAt: number;
}

// Outside the admission queues' partitions (account/region/kind), so a queue's Query never reads a waiter.
const keyOf = (arn: string) => ({ queue: { S: `copy-waiter#${arn}` }, ticket: { S: "waiter" } });

export async function storeWaiter(dynamodb: DynamoDBClient, table: string, waiter: CopyWaiter): Promise<void> {
  await dynamodb.send(
    new PutItemCommand({
      TableName: table,
      Item: {
        ...keyOf(waiter.arn),
        token: { S: waiter.token },
        state: { S: waiter.state },
        expiresAt: { N: String(waiter.expiresAt) },
      },
    }),
  );
}

export async function readWaiter(
  dynamodb: DynamoDBClient,
  table: string,
  arn: string,
): Promise<CopyWaiter | undefined> {
  const { Item } = await dynamodb.send(new GetItemCommand({ TableName: table, Key: keyOf(arn), ConsistentRead: true }));
  if (!Item?.token?.S) return undefined;
  return { arn, token: Item.token.S, state: Item.state?.S ?? "{}", expiresAt: Number(Item.expiresAt?.N ?? 0) };
}

/** Removes the waiter if it still holds `token`: true for the one caller that may resume the run with it. */
export async function claimWaiter(
  dynamodb: DynamoDBClient,
  table: string,
  arn: string,
  token: string,
): Promise<boolean> {
  try {
    await dynamodb.send(
      new DeleteItemCommand({
        TableName: table,
        Key: keyOf(arn),
        ConditionExpression: "#token = :token",
        ExpressionAttributeNames: { "#token": "token" },
        ExpressionAttributeValues: { ":token": { S: token } },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException || (error as Error).name === "ConditionalCheckFailedException")
      return false;
    throw error;
  }
}
