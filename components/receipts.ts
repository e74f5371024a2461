// Receipt topics of a source (issue 13): one per destination account and region, whose policy lets only that
// account publish; the producer's receipt Lambda is subscribed to each and records a receipt under the
// destination of the topic it came through (functions/steps/producer/recordReceipt.ts). One topic per
// destination rather than one shared topic: an SNS notification carries no publisher identity, only TopicArn,
// which SNS sets, so the topic is the identity. Prune waits for the receipts (functions/decisions/transitReceipts.ts).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { receiptKeyPolicy, receiptTopicPolicy } from "./policies";
import { customerKey, json } from "./shared";
import type { DestinationPlace, ReceiptTopicOutput } from "./sourceOutputs";

export interface BuiltReceiptTopic {
  place: DestinationPlace;
  topic: aws.sns.Topic;
}

export interface BuiltReceipts {
  key?: aws.kms.Key;
  topics: BuiltReceiptTopic[];
}

/** One topic per destination in the source's region, with its publish policy, under one key the destinations may use through SNS. */
export function receiptTopics(
  name: string,
  source: { account: string; region: string },
  destinations: readonly DestinationPlace[],
  parent: pulumi.Resource,
): BuiltReceipts {
  if (destinations.length === 0) return { topics: [] };
  const key = customerKey(
    `${name}-receipts-key`,
    "rds-replication receipt topics: destination accounts publish through SNS",
    receiptKeyPolicy({ ...source, destinationAccounts: destinations.map((d) => d.account) }),
    { parent },
  );
  const topics = destinations.map((d) => {
    const id = `${name}-receipts-${d.account}-${d.region}`;
    const topic = new aws.sns.Topic(id, { kmsMasterKeyId: key.arn }, { parent });
    new aws.sns.TopicPolicy(
      `${id}-policy`,
      {
        arn: topic.arn,
        policy: json(topic.arn.apply((topicArn) => receiptTopicPolicy({ topicArn, destinationAccount: d.account }))),
      },
      { parent },
    );
    return { place: { account: d.account, region: d.region }, topic };
  });
  return { key, topics };
}

export function receiptTopicList(built: BuiltReceipts): pulumi.Output<ReceiptTopicOutput[]> {
  const keyArn = built.key?.arn ?? pulumi.output("");
  return pulumi.all(
    built.topics.map((b) =>
      pulumi.all([b.topic.arn, keyArn]).apply(([topicArn, k]) => ({ ...b.place, topicArn, keyArn: k })),
    ),
  );
}

/** Subscribes the producer's receipt Lambda to every receipt topic; only SNS, for those topics, may invoke it. */
export function subscribeReceipts(
  name: string,
  built: BuiltReceipts,
  fn: aws.lambda.Function,
  parent: pulumi.Resource,
): void {
  for (const { place, topic } of built.topics) {
    const id = `${name}-receipts-${place.account}-${place.region}`;
    new aws.lambda.Permission(
      `${id}-permission`,
      { action: "lambda:InvokeFunction", function: fn.name, principal: "sns.amazonaws.com", sourceArn: topic.arn },
      { parent },
    );
    new aws.sns.TopicSubscription(
      `${id}-subscription`,
      { topic: topic.arn, protocol: "lambda", endpoint: fn.arn },
      { parent },
    );
  }
}
