// The copies are only as durable as the key they are encrypted with: a disabled key makes every copy
// unreadable, a deleted one destroys them. KMS calls reach EventBridge as CloudTrail events (this needs a trail
// recording management events in the account); a rule on the two calls that take a key away notifies the
// stack's topic, within the 7 to 30 days KMS waits before deleting a key.
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

/** The KMS calls that make the copies unreadable or, after the waiting period, destroy them. */
export const KEY_LOSING_CALLS = ["DisableKey", "ScheduleKeyDeletion"] as const;

/**
 * The EventBridge pattern of those calls on one key. CloudTrail records the key as the caller named it
 * (`requestParameters.keyId`: the key id or its ARN; these calls take no alias), so both forms are listed.
 */
export function keyLossEventPattern(keyArn: string): object {
  const keyId = keyArn.split("/").pop() ?? keyArn;
  return {
    source: ["aws.kms"],
    "detail-type": ["AWS API Call via CloudTrail"],
    detail: {
      eventSource: ["kms.amazonaws.com"],
      eventName: [...KEY_LOSING_CALLS],
      requestParameters: { keyId: [keyId, keyArn] },
    },
  };
}

/** The rule on the key and its target, the notifications topic (whose policy admits this account's rules). */
export function watchKeyLoss(
  name: string,
  key: aws.kms.Key,
  topic: aws.sns.Topic,
  parent: pulumi.Resource,
): aws.cloudwatch.EventRule {
  const rule = new aws.cloudwatch.EventRule(
    `${name}-key-loss`,
    {
      description: "rds-replication: the copies' key was disabled or scheduled for deletion",
      eventPattern: key.arn.apply((arn) => JSON.stringify(keyLossEventPattern(arn))),
    },
    { parent },
  );
  new aws.cloudwatch.EventTarget(`${name}-key-loss`, { rule: rule.name, arn: topic.arn }, { parent });
  return rule;
}
