// Both example stacks evaluated once under Pulumi mocks (testkit/pulumiMocks.ts), shared by the
// security suites that inspect what the program really declares.
import { evaluateStack, type StackEvaluation, stackFileConfig } from "../../testkit";

export const SOURCE_STACK_OUTPUTS = {
  account: "111111111111",
  region: "eu-west-1",
  announceTopicArn: "arn:aws:sns:eu-west-1:111111111111:producer-announce",
  transitKeyArns: {
    "eu-west-1": "arn:aws:kms:eu-west-1:111111111111:key/a",
    "eu-central-1": "arn:aws:kms:eu-central-1:111111111111:key/b",
  },
  announcementVersion: 1,
  destinations: [
    { account: "222222222222", region: "eu-central-1" },
    { account: "333333333333", region: "eu-west-1" },
  ],
  receiptTopics: [
    {
      account: "222222222222",
      region: "eu-central-1",
      topicArn: "arn:aws:sns:eu-west-1:111111111111:producer-receipts-222222222222-eu-central-1",
      keyArn: "arn:aws:kms:eu-west-1:111111111111:key/receipts",
    },
  ],
  databases: {
    instances: ["orders-db"],
    clusters: ["billing-aurora"],
    byTags: false,
    perDestination: [{ account: "222222222222", region: "eu-central-1", databases: [] }],
  },
};

let stacks: Promise<{ source: StackEvaluation; dest: StackEvaluation }> | undefined;

/** The source and dest example stacks, evaluated one after the other (mocks are process-global). */
export function exampleStacks(): Promise<{ source: StackEvaluation; dest: StackEvaluation }> {
  stacks ??= (async () => {
    const source = await evaluateStack({ config: stackFileConfig("source"), stack: "source" });
    const dest = await evaluateStack({
      config: stackFileConfig("dest"),
      stack: "dest",
      stackOutputs: { "acme/rds-replication/source": SOURCE_STACK_OUTPUTS },
    });
    return { source, dest };
  })();
  return stacks;
}
