// A program outside this repository: it knows rds-replication only through the installed package's entry
// and types, and wires both sides itself.
import * as pulumi from "@pulumi/pulumi";
import {
  type RetentionPolicy,
  SnapshotConsumer,
  type SnapshotConsumerArgs,
  SnapshotProducer,
  type SnapshotProducerArgs,
  sourceOutputsOf,
} from "rds-replication";

const producerArgs: SnapshotProducerArgs = {
  account: "111111111111",
  region: "eu-central-1",
  destinations: [{ account: "222222222222", region: "eu-west-1", databases: [] }],
  instances: ["orders-db"],
  reservedConcurrency: 5,
};
const producer = new SnapshotProducer("orders", producerArgs);

const retention: RetentionPolicy = { keepLast: 3, daily: 7 };
const consumerArgs: SnapshotConsumerArgs = {
  account: "222222222222",
  region: "eu-west-1",
  // A source of this program, and one of another stack read through the same contract.
  sources: {
    orders: producer.sourceOutputs,
    "acme/replication-fixture/billing": sourceOutputsOf(new pulumi.StackReference("acme/replication-fixture/billing")),
  },
  retention,
  retentionTagKey: "Lifecycle",
  rpo: { defaultHours: 26 },
};
const consumer = new SnapshotConsumer("dr", consumerArgs);

export const announceTopicArn: pulumi.Output<string> = producer.announceTopicArn;
export const copyKeyArn: pulumi.Output<string> = consumer.keyArn;
