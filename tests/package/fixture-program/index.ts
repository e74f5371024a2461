// A program outside this repository: it knows rds-replication only through the installed package's entry
// and types, and wires both sides itself.
import type * as pulumi from "@pulumi/pulumi";
import {
  type RetentionPolicy,
  SnapshotConsumer,
  type SnapshotConsumerArgs,
  SnapshotProducer,
  type SnapshotProducerArgs,
} from "rds-replication";

const producerArgs: SnapshotProducerArgs = {
  account: "111111111111",
  region: "eu-central-1",
  destinations: [{ account: "222222222222", region: "eu-west-1", databases: [] }],
  instances: ["orders-db"],
  clusters: [],
  selectorTags: {},
  automatedSnapshots: true,
  manualSnapshots: true,
  transitKeep: 2,
  transitGraceHours: 24,
  transitDeletionsEnabled: false,
  replicateUnencryptedClusters: false,
  sourceKeyArns: [],
  optionGroups: {},
  notificationEmails: [],
  reservedConcurrency: 5,
  logRetentionDays: 90,
};
const producer = new SnapshotProducer("orders", producerArgs);

const retention: RetentionPolicy = { keepLast: 3, daily: 7 };
const consumerArgs: SnapshotConsumerArgs = {
  account: "222222222222",
  region: "eu-west-1",
  sources: ["acme/replication-fixture/source"],
  retention,
  retentionTagKey: "Lifecycle",
  deletionsEnabled: false,
  maxDeletionsPerRun: 10,
  holdTagKey: "hold",
  notificationEmails: [],
  reservedConcurrency: 5,
  logRetentionDays: 90,
  rpo: { defaultHours: 26, overrides: {} },
};
const consumer = new SnapshotConsumer("dr", consumerArgs);

export const announceTopicArn: pulumi.Output<string> = producer.announceTopicArn;
export const copyKeyArn: pulumi.Output<string> = consumer.keyArn;
