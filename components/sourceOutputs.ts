// The contract between a source and its destinations: what a SnapshotProducer exposes, what a source stack
// exports (one stack output per member) and what a SnapshotConsumer takes per source. One type for all three,
// so a change on one side fails to compile on the other.
import * as pulumi from "@pulumi/pulumi";

/** An account and region a source sends copies to. */
export interface DestinationPlace {
  /**
   * The destination account (12 digits).
   * @example "222222222222"
   */
  account: string;
  /**
   * The destination region.
   * @example "eu-west-1"
   */
  region: string;
}

/** The databases one destination receives. */
export interface DestinationDatabases {
  /**
   * The destination account (12 digits).
   * @example "222222222222"
   */
  account: string;
  /**
   * The destination region.
   * @example "eu-west-1"
   */
  region: string;
  /**
   * The source databases sent there; empty: every selected database.
   * @example ["orders-db"]
   */
  databases: string[];
}

/** The databases a source replicates, so a destination can check what it refreshes. */
export interface SourceDatabases {
  /**
   * DB instances named by identifier.
   * @example ["orders-db"]
   */
  instances: string[];
  /**
   * Aurora clusters named by identifier.
   * @example ["billing-aurora"]
   */
  clusters: string[];
  /**
   * Whether databases are also selected by tags (known only at run time).
   * @example false
   */
  byTags: boolean;
  /**
   * The databases each destination receives (an empty list: every selected database).
   * @example [{ account: "222222222222", region: "eu-west-1", databases: ["orders-db"] }]
   */
  perDestination: DestinationDatabases[];
}

/** A source's receipt topic for one destination account and region. */
export interface ReceiptTopicOutput extends DestinationPlace {
  /**
   * The topic's ARN.
   * @example "arn:aws:sns:eu-central-1:111111111111:orders-receipts-222222222222-eu-west-1-1a2b3c"
   */
  topicArn: string;
  /**
   * The key the topic is encrypted with: a publisher needs kms:GenerateDataKey* and kms:Decrypt on it.
   * @example "arn:aws:kms:eu-central-1:111111111111:key/0b1c..."
   */
  keyArn: string;
}

/** What a destination needs from a source: a SnapshotProducer's `sourceOutputs`, or a source stack's exports. */
export interface SourceOutputs {
  /**
   * The source account (12 digits).
   * @example "111111111111"
   */
  account: string;
  /**
   * The source region, where the announcement topic lives.
   * @example "eu-central-1"
   */
  region: string;
  /**
   * The topic that announces each transit copy; destinations subscribe their intake Lambda to it.
   * @example "arn:aws:sns:eu-central-1:111111111111:producer-announce-1a2b3c"
   */
  announceTopicArn: string;
  /**
   * The source's transit key per region; a destination needs the one of its own region.
   * @example { "eu-west-1": "arn:aws:kms:eu-west-1:111111111111:key/0b1c..." }
   */
  transitKeyArns: Record<string, string>;
  /**
   * Version of the announcement format (ANNOUNCEMENT_VERSION); a consumer refuses another.
   * @example 1
   */
  announcementVersion: number;
  /**
   * Every account and region the source sends copies to; a dest stack checks it is deployed into one of them.
   * @example [{ account: "222222222222", region: "eu-west-1" }]
   */
  destinations: DestinationPlace[];
  /**
   * One receipt topic per destination account and region (only that account may publish to it): where a
   * destination tells the source it copied, or gave up on, an announced snapshot. Absent from a source stack
   * older than receipts: its destinations send none, and it prunes by keep and grace alone.
   * @example [{ account: "222222222222", region: "eu-west-1", topicArn: "arn:aws:sns:eu-central-1:111111111111:orders-receipts-222222222222-eu-west-1-1a2b3c" }]
   */
  receiptTopics?: ReceiptTopicOutput[];
  /**
   * The databases the source replicates and where each goes; a dest stack checks its refresh targets with it.
   * @example { instances: ["orders-db"], clusters: [], byTags: false, perDestination: [] }
   */
  databases: SourceDatabases;
}

/** The topic (and its key) a destination sends its receipts to that source on; none from a source older than receipts. */
export function receiptTopicOf(
  source: Pick<SourceOutputs, "receiptTopics">,
  place: DestinationPlace,
): ReceiptTopicOutput | undefined {
  return source.receiptTopics?.find((t) => t.account === place.account && t.region === place.region);
}

// A record over every member, so adding a member to SourceOutputs without exporting it does not compile.
const MEMBERS: Readonly<Record<keyof SourceOutputs, true>> = {
  account: true,
  region: true,
  announceTopicArn: true,
  transitKeyArns: true,
  announcementVersion: true,
  destinations: true,
  receiptTopics: true,
  databases: true,
};
/** Members a source stack older than them does not export: read with getOutput, absent when missing. */
const OPTIONAL_MEMBERS: ReadonlySet<keyof SourceOutputs> = new Set(["receiptTopics"]);
export const SOURCE_OUTPUT_NAMES = Object.keys(MEMBERS) as (keyof SourceOutputs)[];

/** A source stack's exports: one stack output per member of the contract. */
export type SourceStackExports = { readonly [K in keyof SourceOutputs]: pulumi.Output<SourceOutputs[K]> };

/** The contract as stack outputs (the source program exports these). */
export function sourceStackExports(outputs: pulumi.Output<SourceOutputs>): SourceStackExports {
  return Object.fromEntries(
    SOURCE_OUTPUT_NAMES.map((member) => [member, outputs.apply((o) => o[member])]),
  ) as unknown as SourceStackExports;
}

/** The contract read back from a source stack (the dest program passes it to its SnapshotConsumer). */
export function sourceOutputsOf(stack: pulumi.StackReference): pulumi.Output<SourceOutputs> {
  return pulumi
    .all(
      Object.fromEntries(
        SOURCE_OUTPUT_NAMES.map((member) => [
          member,
          OPTIONAL_MEMBERS.has(member) ? stack.getOutput(member) : stack.requireOutput(member),
        ]),
      ),
    )
    .apply((outputs) => {
      const present = Object.entries(outputs).filter(([, value]) => value !== undefined && value !== null);
      return Object.fromEntries(present) as unknown as SourceOutputs;
    });
}
