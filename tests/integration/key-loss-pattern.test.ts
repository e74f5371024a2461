// The key-loss rule's pattern (components/keyProtection.ts) evaluated by the emulator's EventBridge on events
// of the shape AWS documents: CloudTrail records of DisableKey and ScheduleKeyDeletion (AWS KMS Developer Guide,
// "Logging AWS KMS API calls": the ScheduleKeyDeletion example, with `requestParameters.keyId` as the caller named
// the key) delivered as "AWS API Call via CloudTrail" events (EventBridge User Guide, "Events from AWS services
// delivered via CloudTrail"). The rule's target here is a queue (moto's EventBridge delivers to SQS, not SNS).
import { strict as assert } from "node:assert";
import { CreateKeyCommand } from "@aws-sdk/client-kms";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { keyLossEventPattern } from "../../components/keyProtection";
import { type Clients, clientsFor, DEST, emulatorEndpoint, eventBridge } from "../../testkit";

/** A CloudTrail record of a KMS call as the KMS Developer Guide shows it, wrapped as EventBridge delivers it. */
function cloudTrailEvent(eventName: string, keyIdAsCalled: string, keyArn: string) {
  const account = keyArn.split(":")[4];
  return {
    Source: "aws.kms",
    DetailType: "AWS API Call via CloudTrail",
    Resources: [],
    Detail: JSON.stringify({
      eventVersion: "1.08",
      userIdentity: {
        type: "IAMUser",
        principalId: "EX_PRINCIPAL_ID",
        arn: `arn:aws:iam::${account}:user/Alice`,
        accountId: account,
        userName: "Alice",
      },
      eventTime: "2021-03-23T18:58:30Z",
      eventSource: "kms.amazonaws.com",
      eventName,
      awsRegion: DEST.region,
      sourceIPAddress: "192.0.2.0",
      userAgent: "AWS Internal",
      requestParameters:
        eventName === "ScheduleKeyDeletion"
          ? { pendingWindowInDays: 20, keyId: keyIdAsCalled }
          : { keyId: keyIdAsCalled },
      responseElements: eventName === "ScheduleKeyDeletion" ? { keyId: keyArn, keyState: "PendingDeletion" } : null,
      requestID: "ee408f36-ea01-422b-ac14-b0f147c68334",
      eventID: "3c4226b0-1e81-48a8-a333-7fa5f3cbd118",
      readOnly: false,
      resources: [{ accountId: account, type: "AWS::KMS::Key", ARN: keyArn }],
      eventType: "AwsApiCall",
      recipientAccountId: account,
    }),
  };
}

describe("the key-loss rule's event pattern on the emulator's EventBridge (documented CloudTrail events)", () => {
  let clients: Clients;
  let sqs: SQSClient;
  let queueUrl: string;
  let keyArn: string;
  let otherKeyArn: string;

  beforeEach(async () => {
    clients = await clientsFor(DEST);
    sqs = new SQSClient({ region: DEST.region, endpoint: emulatorEndpoint(), credentials: clients.credentials });
    keyArn = (await clients.kms.send(new CreateKeyCommand({}))).KeyMetadata?.Arn ?? "";
    otherKeyArn = (await clients.kms.send(new CreateKeyCommand({}))).KeyMetadata?.Arn ?? "";
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: "key-loss" }))).QueueUrl ?? "";
    const queueArn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }))
    ).Attributes?.QueueArn;
    await eventBridge(clients, "PutRule", {
      Name: "key-loss",
      EventPattern: JSON.stringify(keyLossEventPattern(keyArn)),
    });
    await eventBridge(clients, "PutTargets", { Rule: "key-loss", Targets: [{ Id: "queue", Arn: queueArn }] });
  });

  async function delivered(): Promise<{ eventName: string; keyId: string }[]> {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    return (out.Messages ?? []).map((m) => {
      const detail = (JSON.parse(m.Body ?? "{}") as { detail: Record<string, { keyId?: string } | string> }).detail;
      return {
        eventName: String(detail.eventName),
        keyId: String((detail.requestParameters as { keyId: string }).keyId),
      };
    });
  }

  it("matches DisableKey and ScheduleKeyDeletion of the copies' key, named by id or by ARN", async () => {
    const keyId = keyArn.split("/").pop() ?? "";
    await eventBridge(clients, "PutEvents", {
      Entries: [cloudTrailEvent("ScheduleKeyDeletion", keyId, keyArn), cloudTrailEvent("DisableKey", keyArn, keyArn)],
    });
    assert.deepEqual(
      (await delivered()).sort((a, b) => a.eventName.localeCompare(b.eventName)),
      [
        { eventName: "DisableKey", keyId: keyArn },
        { eventName: "ScheduleKeyDeletion", keyId },
      ],
    );
  });

  it("control: the same calls on another key, and other calls on this key, are not matched", async () => {
    const keyId = keyArn.split("/").pop() ?? "";
    await eventBridge(clients, "PutEvents", {
      Entries: [
        cloudTrailEvent("ScheduleKeyDeletion", otherKeyArn.split("/").pop() ?? "", otherKeyArn),
        cloudTrailEvent("DisableKey", otherKeyArn, otherKeyArn),
        cloudTrailEvent("EnableKey", keyId, keyArn),
        cloudTrailEvent("CancelKeyDeletion", keyId, keyArn),
      ],
    });
    assert.deepEqual(await delivered(), []);
  });
});
