// A large, realistic selection for size tests: identifiers of 25-30 characters, destinations in 3 regions
// with distinct accounts, each listing a seeded half of the databases (the worst case for the runtime config).

import type { ProducerRuntimeConfig } from "../../functions/contracts/runtimeConfig";
import { seededRandom } from "../../scripts/bench/pollSimulation";

export const LARGE_REGIONS = ["eu-west-1", "eu-central-1", "us-east-1"] as const;

export function largeSelection(databases: number, destinations: number) {
  const random = seededRandom(42);
  const identifiers = Array.from({ length: databases }, (_, i) => {
    const id = `orders-service-prod-${String(i).padStart(4, "0")}`;
    return `${id}${"abcdefghij".slice(0, Math.floor(random() * 6))}`.slice(0, 30);
  });
  return {
    identifiers,
    destinations: Array.from({ length: destinations }, (_, i) => ({
      account: String(222222222200 + i),
      region: LARGE_REGIONS[i % LARGE_REGIONS.length],
      databases: identifiers.filter(() => random() < 0.5),
    })),
  };
}

const SOURCE_ACCOUNT = "111111111111";

export function largeProducerConfig(databases: number, destinations: number): ProducerRuntimeConfig {
  const selection = largeSelection(databases, destinations);
  const key = (region: string) =>
    `arn:aws:kms:${region}:${SOURCE_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab` as const;
  return {
    version: 1,
    account: SOURCE_ACCOUNT,
    region: "eu-west-1",
    transitKeyArns: Object.fromEntries(LARGE_REGIONS.map((r) => [r, key(r)])),
    databases: { identifiers: selection.identifiers, tags: {} },
    destinations: selection.destinations,
    announceTopicArn: `arn:aws:sns:eu-west-1:${SOURCE_ACCOUNT}:producer-announce-4f3e2d1`,
    notifyTopicArn: `arn:aws:sns:eu-west-1:${SOURCE_ACCOUNT}:producer-notifications-9a8b7c6`,
    admissionTable: "producer-admission-5e4d3c2",
    transit: { keep: 2, graceHours: 24, deletionsEnabled: false },
    replicateUnencryptedClusters: false,
    optionGroups: {},
  };
}
