// EventBridge on the emulator for pattern tests: no EventBridge client is installed, so requests are plain JSON
// (unsigned: moto takes the account from the access key), and matched events are read back from an SQS queue
// target (moto's EventBridge delivers to SQS).
import { strict as assert } from "node:assert";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { Clients } from "./accounts";
import { emulatorEndpoint } from "./emulator/lifecycle";

/** One EventBridge JSON request in the clients' account and region. */
export async function eventBridge(clients: Clients, action: string, body: object): Promise<Record<string, unknown>> {
  const { accessKeyId, sessionToken } = clients.credentials;
  const response = await fetch(emulatorEndpoint(), {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": `AWSEvents.${action}`,
      authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20240101/${clients.place.region}/events/aws4_request, SignedHeaders=host, Signature=0`,
      ...(sessionToken ? { "x-amz-security-token": sessionToken } : {}),
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  assert.equal(response.status, 200, `${action}: ${text}`);
  return JSON.parse(text || "{}");
}

/** A rule with `pattern` on the default bus whose matches land in a new queue; `received` reads them. */
export async function ruleToQueue(clients: Clients, name: string, pattern: object) {
  const sqs = new SQSClient({
    region: clients.place.region,
    endpoint: emulatorEndpoint(),
    credentials: clients.credentials,
  });
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl ?? "";
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] })))
    .Attributes?.QueueArn;
  await eventBridge(clients, "PutRule", { Name: name, EventPattern: JSON.stringify(pattern) });
  await eventBridge(clients, "PutTargets", { Rule: name, Targets: [{ Id: "queue", Arn: queueArn }] });
  return {
    async received(): Promise<Record<string, unknown>[]> {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
      return (out.Messages ?? []).map((m) => JSON.parse(m.Body ?? "{}"));
    },
  };
}
