// The consumer's runtime config and a source's announcement as the pure decisions receive them: one sample
// of each, changed per test, so the unit tests of announcement validation and retention start from the same
// valid pair (the source 111111111111 in eu-west-1, the destination 222222222222 in eu-central-1).
import type { ConsumerRuntimeConfig } from "../../functions/contracts/runtimeConfig";

type Retention = ConsumerRuntimeConfig["retention"];

export function sampleConsumerConfig(
  change: Omit<Partial<ConsumerRuntimeConfig>, "retention"> & { retention?: Partial<Retention> } = {},
): ConsumerRuntimeConfig {
  const { retention, ...rest } = change;
  return {
    version: 1,
    account: "222222222222",
    region: "eu-central-1",
    sources: [
      { account: "111111111111", region: "eu-west-1", topicArn: "arn:aws:sns:eu-west-1:111111111111:announce" },
    ],
    keyArn: "arn:aws:kms:eu-central-1:222222222222:key/own",
    notifyTopicArn: "arn:aws:sns:eu-central-1:222222222222:notify",
    copiesPerDatabasePerDay: 4,
    admissionTable: "consumer-admission",
    restore: null,
    ...rest,
    retention: {
      default: { keepLast: 3 },
      tagKey: "Draco_Lifecycle",
      deletionsEnabled: false,
      maxDeletionsPerRun: 5,
      holdTagKey: "hold",
      minimum: { copies: 2, days: 1 },
      coolingOffHours: 72,
      ...retention,
    },
  };
}

/** An announcement of orders' snapshot rr-orders-1, valid for sampleConsumerConfig(). */
export const sampleAnnouncement = (change: object = {}) => ({
  version: 1,
  kind: "instance",
  snapshotArn: "arn:aws:rds:eu-central-1:111111111111:snapshot:rr-orders-1",
  sourceAccount: "111111111111",
  sourceRegion: "eu-west-1",
  snapshotRegion: "eu-central-1",
  sourceDatabase: "orders",
  engine: "postgres",
  snapshotCreateTime: "2026-11-30T11:00:00.000Z",
  keyArn: "arn:aws:kms:eu-central-1:111111111111:key/transit",
  tags: {},
  destinationAccount: "222222222222",
  destinationRegion: "eu-central-1",
  sourceSnapshotArn: "arn:aws:rds:eu-west-1:111111111111:snapshot:orders-1",
  ...change,
});
