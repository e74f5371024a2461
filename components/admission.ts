// The admission queue's table (functions/aws/admissionQueue.ts): one per stack, in the stack's region, for the
// copies of every region that stack starts. On demand (a few requests per waiting copy and check), tickets
// expire by TTL once nobody renews them. DynamoDB's own encryption at rest: a ticket holds a snapshot id and
// two times, and a customer key would add KMS grants to every copy-starting role.
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

export function admissionTable(name: string, parent: pulumi.Resource): aws.dynamodb.Table {
  return new aws.dynamodb.Table(
    `${name}-admission`,
    {
      billingMode: "PAY_PER_REQUEST",
      hashKey: "queue",
      rangeKey: "ticket",
      attributes: [
        { name: "queue", type: "S" },
        { name: "ticket", type: "S" },
      ],
      ttl: { attributeName: "expiresAt", enabled: true },
    },
    { parent },
  );
}
