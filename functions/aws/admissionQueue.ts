// The admission queue in DynamoDB (one table per stack, partition key `queue`, sort key `ticket`, TTL on
// `expiresAt`): each waiting copy's ticket, renewed at each check, the queue read back in full to rank it.
// The decision itself is functions/decisions/admission.ts; the copies in progress come from RDS, never from this table.
import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandOutput,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { ADMISSION, type Ticket } from "../decisions/admission";

const num = (value: AttributeValue | undefined) => (value?.N === undefined ? undefined : Number(value.N));

function ticketOf(item: Record<string, AttributeValue>): Ticket {
  return {
    id: item.ticket?.S ?? "",
    arrivedAt: num(item.arrivedAt) ?? 0,
    seenAt: num(item.seenAt) ?? 0,
    place: num(item.place),
    placeSince: num(item.placeSince),
    turns: num(item.turns),
  };
}

/**
 * Every item of one partition of the stack's table, page by page (a backlog of thousands of tickets is a few
 * pages). The receipts share the table under their own partitions (receiptLedger.ts).
 */
export async function partitionItems(
  dynamodb: DynamoDBClient,
  table: string,
  queue: string,
): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  let start: QueryCommandOutput["LastEvaluatedKey"];
  do {
    const page = await dynamodb.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: "#q = :q",
        ExpressionAttributeNames: { "#q": "queue" },
        ExpressionAttributeValues: { ":q": { S: queue } },
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Every ticket of a queue. */
export async function queueTickets(dynamodb: DynamoDBClient, table: string, queue: string): Promise<Ticket[]> {
  return (await partitionItems(dynamodb, table, queue)).map(ticketOf);
}

/**
 * Stores a ticket. Its arrival is never overwritten: a retried step (after a crash anywhere) keeps its place.
 */
export async function storeTicket(dynamodb: DynamoDBClient, table: string, queue: string, ticket: Ticket) {
  const values: Record<string, AttributeValue> = {
    ":arrivedAt": { N: String(ticket.arrivedAt) },
    ":seenAt": { N: String(ticket.seenAt) },
    ":expiresAt": { N: String(ticket.seenAt + ADMISSION.staleAfterSeconds * 2) },
  };
  const sets = ["arrivedAt = if_not_exists(arrivedAt, :arrivedAt)", "seenAt = :seenAt", "expiresAt = :expiresAt"];
  for (const field of ["place", "placeSince", "turns"] as const) {
    const value = ticket[field];
    if (value === undefined) continue;
    values[`:${field}`] = { N: String(value) };
    sets.push(`${field} = :${field}`);
  }
  await dynamodb.send(
    new UpdateItemCommand({
      TableName: table,
      Key: { queue: { S: queue }, ticket: { S: ticket.id } },
      UpdateExpression: `SET ${sets.join(", ")}`,
      ExpressionAttributeValues: values,
    }),
  );
}

/** The copy has started (or was found started): its ticket leaves the queue. */
export async function leaveQueue(dynamodb: DynamoDBClient, table: string, queue: string, id: string): Promise<void> {
  await dynamodb.send(new DeleteItemCommand({ TableName: table, Key: { queue: { S: queue }, ticket: { S: id } } }));
}
