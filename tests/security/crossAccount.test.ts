// The cross-account trust of the product, evaluated as AWS would: the producer's transit key and announcement
// topic (source account) and the consumer's intake permission and own key (destination account), built by the
// program's policy builders for the accounts of the example stacks. Every request must come out exactly as the
// design says; the simulator refuses any request whose context keys or conditions would be silently ignored.
import * as assert from "node:assert/strict";
import { consumerScopes } from "../../components/consumer";
import {
  announceTopicPolicy,
  consumerKeyPolicy,
  KMS_USE_THROUGH_RDS,
  serviceHost,
  stepRolePolicy,
  transitKeyPolicy,
} from "../../components/policies";
import { stepByKey } from "../../functions/catalog";
import { type Decision, type PolicyDocument, type SimulationRequest, simulate } from "../support/iamSimulator";

const SOURCE = { account: "111111111111", region: "eu-west-1" };
const DEST = { account: "222222222222", region: "eu-central-1" };
// Also a destination in the example source stack: an account that is configured, but for another region.
const OTHER_DEST = { account: "333333333333", region: "eu-west-1" };
const STRANGER = "444444444444";

const TRANSIT_KEY = `arn:aws:kms:${DEST.region}:${SOURCE.account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const CONSUMER_KEY = `arn:aws:kms:${DEST.region}:${DEST.account}:key/abcd1234-12ab-34cd-56ef-1234567890ab`;
const TOPIC = `arn:aws:sns:${SOURCE.region}:${SOURCE.account}:rds-replication-announce`;
const INTAKE = `arn:aws:lambda:${DEST.region}:${DEST.account}:function:rds-replication-consumer-intake`;
const COPY_ROLE = `arn:aws:iam::${DEST.account}:role/rds-replication-consumer-copy`;
const DEPLOYER = (account: string) => `arn:aws:iam::${account}:role/deployer`;

// The caller's own identity policy may allow anything: these tests isolate what the resource policy permits.
const allowsEverything: PolicyDocument = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: ["kms:*", "sns:*"], Resource: "*" }],
};

const transitKey = transitKeyPolicy({
  account: SOURCE.account,
  region: DEST.region,
  destinationAccounts: [DEST.account, OTHER_DEST.account],
});
const consumerKey = consumerKeyPolicy({ account: DEST.account, region: DEST.region, copyRoleArns: [COPY_ROLE] });
const topic = announceTopicPolicy({ topicArn: TOPIC, destinationAccounts: [DEST.account, OTHER_DEST.account] });
// What `aws lambda add-permission --principal sns.amazonaws.com --source-arn TOPIC` puts on the function.
const intakePermission: PolicyDocument = {
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "AnnouncementsFromSourceTopic",
      Effect: "Allow",
      Principal: { Service: "sns.amazonaws.com" },
      Action: "lambda:InvokeFunction",
      Resource: INTAKE,
      Condition: { ArnLike: { "AWS:SourceArn": TOPIC } },
    },
  ],
};

const viaRds = (region: string) => ({ "kms:ViaService": serviceHost("rds", region) });
const KMS_COPY_ACTIONS = [
  "kms:Decrypt",
  "kms:DescribeKey",
  "kms:ReEncryptFrom",
  "kms:ReEncryptTo",
  "kms:GenerateDataKey",
  "kms:GenerateDataKeyWithoutPlaintext",
];

function onTransitKey(principal: string, action: string, context: Record<string, string>): SimulationRequest {
  return {
    principal,
    action,
    resource: TRANSIT_KEY,
    context,
    identityPolicies: [allowsEverything],
    resourcePolicy: transitKey,
  };
}

async function expect(request: SimulationRequest, decision: Decision | "denied") {
  const got = await simulate(request);
  const ok = decision === "denied" ? got !== "Allowed" : got === decision;
  assert.ok(
    ok,
    `${request.principal} ${request.action} on ${request.resource} ${JSON.stringify(request.context)}: ${got}`,
  );
}

describe("cross-account policies (IAM simulation)", () => {
  describe("producer transit key", () => {
    it("lets the destination account use it through RDS in the key's region for CopyDBSnapshot", async () => {
      assert.deepEqual(KMS_USE_THROUGH_RDS, [
        "kms:Decrypt",
        "kms:DescribeKey",
        "kms:ReEncrypt*",
        "kms:GenerateDataKey*",
      ]);
      for (const action of KMS_COPY_ACTIONS) {
        await expect(onTransitKey(COPY_ROLE, action, viaRds(DEST.region)), "Allowed");
      }
      await expect(
        onTransitKey(COPY_ROLE, "kms:CreateGrant", { ...viaRds(DEST.region), "kms:GrantIsForAWSResource": "true" }),
        "Allowed",
      );
    });

    it("refuses KMS use outside RDS, through RDS of another region, and grants not for an AWS resource", async () => {
      await expect(onTransitKey(COPY_ROLE, "kms:Decrypt", {}), "denied");
      await expect(
        onTransitKey(COPY_ROLE, "kms:Decrypt", { "kms:ViaService": serviceHost("s3", DEST.region) }),
        "denied",
      );
      await expect(onTransitKey(COPY_ROLE, "kms:Decrypt", viaRds(SOURCE.region)), "denied");
      await expect(
        onTransitKey(COPY_ROLE, "kms:CreateGrant", { ...viaRds(DEST.region), "kms:GrantIsForAWSResource": "false" }),
        "denied",
      );
      await expect(onTransitKey(COPY_ROLE, "kms:CreateGrant", { "kms:GrantIsForAWSResource": "true" }), "denied");
    });

    it("refuses the destination anything beyond using the key (encrypt, administer, delete)", async () => {
      for (const action of [
        "kms:Encrypt",
        "kms:PutKeyPolicy",
        "kms:ScheduleKeyDeletion",
        "kms:DisableKey",
        "kms:RevokeGrant",
      ]) {
        await expect(onTransitKey(COPY_ROLE, action, viaRds(DEST.region)), "denied");
      }
    });

    it("refuses a third account even through RDS", async () => {
      for (const action of [...KMS_COPY_ACTIONS, "kms:CreateGrant"]) {
        const context =
          action === "kms:CreateGrant"
            ? { ...viaRds(DEST.region), "kms:GrantIsForAWSResource": "true" }
            : viaRds(DEST.region);
        await expect(onTransitKey(`arn:aws:iam::${STRANGER}:role/copy`, action, context), "denied");
      }
    });

    it("lets the source account administer it only through its own IAM policies", async () => {
      const admin = `arn:aws:iam::${SOURCE.account}:role/admin`;
      await expect({ ...onTransitKey(admin, "kms:Decrypt", {}), identityPolicies: [] }, "denied");
      await expect(onTransitKey(admin, "kms:Decrypt", {}), "Allowed");
    });
  });

  describe("consumer key", () => {
    const onConsumerKey = (principal: string, action: string, context: Record<string, string>): SimulationRequest => ({
      principal,
      action,
      resource: CONSUMER_KEY,
      context,
      identityPolicies: [allowsEverything],
      resourcePolicy: consumerKey,
    });

    it("is never usable by the source account", async () => {
      for (const action of [...KMS_COPY_ACTIONS, "kms:Encrypt"]) {
        await expect(
          onConsumerKey(
            `arn:aws:iam::${SOURCE.account}:role/rds-replication-producer-transit`,
            action,
            viaRds(DEST.region),
          ),
          "denied",
        );
      }
    });

    it("is usable by the copy role through RDS by the key policy, otherwise only by its account's IAM policies", async () => {
      await expect(onConsumerKey(COPY_ROLE, "kms:GenerateDataKey", viaRds(DEST.region)), "Allowed");
      await expect(onConsumerKey(COPY_ROLE, "kms:GenerateDataKey", {}), "Allowed"); // the account's IAM delegation
      await expect({ ...onConsumerKey(COPY_ROLE, "kms:GenerateDataKey", {}), identityPolicies: [] }, "denied");
    });
  });

  describe("copy role's own policy (the catalog's needs on the consumer's ARNs)", () => {
    const copyRolePolicy = stepRolePolicy({
      needs: stepByKey("consumer-copy").iam,
      scopes: consumerScopes(
        { account: DEST.account, region: DEST.region, refresh: undefined },
        [{ account: SOURCE.account, transitKeyArns: { [DEST.region]: TRANSIT_KEY } }],
        { keyArn: CONSUMER_KEY, notifyTopicArn: `arn:aws:sns:${DEST.region}:${DEST.account}:notify` },
      ),
      logGroupArn: `arn:aws:logs:${DEST.region}:${DEST.account}:log-group:copy`,
      deadLetterQueueArn: `arn:aws:sqs:${DEST.region}:${DEST.account}:copy-dlq`,
      operationsKeyArn: `arn:aws:kms:${DEST.region}:${DEST.account}:key/ops`,
    }) as PolicyDocument;
    // Both key policies allow the use: what remains is what the role's own policy allows.
    const KEYS = [
      { key: TRANSIT_KEY, keyPolicy: transitKey },
      { key: CONSUMER_KEY, keyPolicy: consumerKey },
    ];
    const byCopyRole = (
      on: (typeof KEYS)[number],
      action: string,
      context: Record<string, string>,
    ): SimulationRequest => ({
      principal: COPY_ROLE,
      action,
      resource: on.key,
      context,
      identityPolicies: [copyRolePolicy],
      resourcePolicy: on.keyPolicy,
    });
    const grant = (region: string, forAwsResource = "true") => ({
      ...viaRds(region),
      "kms:GrantIsForAWSResource": forAwsResource,
    });

    it("uses both keys through RDS of the keys' region, for the copy and its grant", async () => {
      for (const on of KEYS) {
        for (const action of KMS_COPY_ACTIONS) await expect(byCopyRole(on, action, viaRds(DEST.region)), "Allowed");
        await expect(byCopyRole(on, "kms:CreateGrant", grant(DEST.region)), "Allowed");
      }
    });

    it("refuses the keys through RDS of another region, outside RDS, for grants not for RDS, and Encrypt", async () => {
      for (const on of KEYS) {
        await expect(byCopyRole(on, "kms:Decrypt", viaRds(SOURCE.region)), "denied");
        await expect(byCopyRole(on, "kms:GenerateDataKey", viaRds("us-east-1")), "denied");
        await expect(byCopyRole(on, "kms:Decrypt", {}), "denied");
        await expect(byCopyRole(on, "kms:CreateGrant", grant(SOURCE.region)), "denied");
        await expect(byCopyRole(on, "kms:CreateGrant", grant(DEST.region, "false")), "denied");
        await expect(byCopyRole(on, "kms:Encrypt", viaRds(DEST.region)), "denied");
      }
    });
  });

  describe("announcement topic", () => {
    const subscribe = (account: string, protocol: string, endpoint: string, extra: Record<string, string> = {}) => ({
      principal: DEPLOYER(account),
      action: "sns:Subscribe",
      resource: TOPIC,
      context: { "sns:Protocol": protocol, "sns:Endpoint": endpoint, ...extra },
      identityPolicies: [allowsEverything],
      resourcePolicy: topic,
    });

    it("lets a destination account subscribe its own Lambda function", async () => {
      await expect(subscribe(DEST.account, "lambda", INTAKE), "Allowed");
    });

    it("refuses email, HTTPS and SQS subscriptions, and a Lambda of another account", async () => {
      await expect(subscribe(DEST.account, "email", "attacker@example.com"), "denied");
      await expect(subscribe(DEST.account, "https", "https://attacker.example.com/hook"), "denied");
      await expect(subscribe(DEST.account, "sqs", `arn:aws:sqs:${DEST.region}:${DEST.account}:q`), "denied");
      await expect(subscribe(DEST.account, "lambda", INTAKE.replace(DEST.account, STRANGER)), "denied");
      await expect(subscribe(DEST.account, "lambda", INTAKE.replace(DEST.account, OTHER_DEST.account)), "denied");
    });

    it("refuses a third account, even subscribing its own Lambda", async () => {
      await expect(subscribe(STRANGER, "lambda", INTAKE.replace(DEST.account, STRANGER)), "denied");
    });

    it("refuses destinations every other topic action, and everyone plain HTTP", async () => {
      for (const action of ["sns:Publish", "sns:SetTopicAttributes", "sns:AddPermission", "sns:DeleteTopic"]) {
        await expect({ ...subscribe(DEST.account, "lambda", INTAKE), action, context: {} }, "denied");
      }
      await expect(subscribe(DEST.account, "lambda", INTAKE, { "aws:SecureTransport": "false" }), "ExplicitlyDenied");
    });
  });

  describe("intake Lambda permission", () => {
    const invoke = (principal: string, context: Record<string, string>): SimulationRequest => ({
      principal,
      action: "lambda:InvokeFunction",
      resource: INTAKE,
      context,
      resourcePolicy: intakePermission,
    });

    it("lets SNS invoke the intake from the source topic only", async () => {
      await expect(invoke("sns.amazonaws.com", { "aws:SourceArn": TOPIC }), "Allowed");
      await expect(invoke("sns.amazonaws.com", { "aws:SourceArn": `${TOPIC}-other` }), "denied");
      await expect(invoke("sns.amazonaws.com", { "aws:SourceArn": TOPIC.replace(SOURCE.account, STRANGER) }), "denied");
      await expect(invoke("events.amazonaws.com", { "aws:SourceArn": TOPIC }), "denied");
    });

    it("refuses direct invocation by another account", async () => {
      await expect({ ...invoke(`arn:aws:iam::${STRANGER}:root`, {}), identityPolicies: [allowsEverything] }, "denied");
    });
  });
});
