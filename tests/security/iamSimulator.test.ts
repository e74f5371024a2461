// The simulator wrapper itself: it must refuse the silent failure modes (typo in a context key, condition key
// that does not exist or never applies) instead of returning "denied", or the denial tests prove nothing.
import * as assert from "node:assert/strict";
import { type PolicyDocument, SimulationRefused, simulate } from "../support/iamSimulator";

const KEY = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const ROLE = "arn:aws:iam::222222222222:role/copy";
const VIA_RDS = { "kms:ViaService": "rds.eu-west-1.amazonaws.com" };
const policy = (Statement: PolicyDocument["Statement"]): PolicyDocument => ({ Version: "2012-10-17", Statement });
const roleUsesKeyViaRds = policy([
  { Effect: "Allow", Action: "kms:Decrypt", Resource: KEY, Condition: { StringEquals: VIA_RDS } },
]);
const keyPolicy = policy([
  { Effect: "Allow", Principal: { AWS: "arn:aws:iam::111111111111:root" }, Action: "kms:*", Resource: "*" },
  {
    Effect: "Allow",
    Principal: { AWS: "arn:aws:iam::222222222222:root" },
    Action: "kms:Decrypt",
    Resource: "*",
    Condition: { StringEquals: VIA_RDS },
  },
]);
const decrypt = {
  principal: ROLE,
  action: "kms:Decrypt",
  resource: KEY,
  identityPolicies: [roleUsesKeyViaRds],
  resourcePolicy: keyPolicy,
};

describe("IAM simulator wrapper", () => {
  it("allows a cross-account request only when identity and key policy both allow it", async () => {
    assert.equal(await simulate({ ...decrypt, context: VIA_RDS }), "Allowed");
    assert.equal(await simulate({ ...decrypt, identityPolicies: [], context: VIA_RDS }), "ImplicitlyDenied");
    assert.equal(await simulate({ ...decrypt, resourcePolicy: policy([]), context: VIA_RDS }), "ImplicitlyDenied");
  });

  it("refuses a request whose context key is misspelt instead of calling it denied", async () => {
    await assert.rejects(
      simulate({ ...decrypt, context: { "kms:ViaServce": "rds.eu-west-1.amazonaws.com" } }),
      (e: Error) => e instanceof SimulationRefused && /ViaServce/.test(e.message),
    );
  });

  it("refuses a context key that does not apply to the action", async () => {
    await assert.rejects(
      simulate({ ...decrypt, context: { ...VIA_RDS, "kms:GrantIsForAWSResource": "true" } }),
      /ignored.*GrantIsForAWSResource/,
    );
  });

  it("refuses a policy whose condition key does not exist", async () => {
    const typo = policy([
      { Effect: "Allow", Action: "kms:Decrypt", Resource: KEY, Condition: { StringEquals: { "kms:ViaServic": "x" } } },
    ]);
    await assert.rejects(
      simulate({ ...decrypt, identityPolicies: [typo], context: VIA_RDS }),
      /kms:ViaServic.*does not exist/,
    );
  });

  it("refuses a statement whose condition can never be evaluated for the action", async () => {
    const deadDeny = policy([
      { Effect: "Allow", Action: "kms:Decrypt", Resource: KEY },
      {
        Sid: "Dead",
        Effect: "Deny",
        Action: "kms:*",
        Resource: "*",
        Condition: { Bool: { "kms:GrantIsForAWSResource": "false" } },
      },
    ]);
    await assert.rejects(
      simulate({ ...decrypt, identityPolicies: [deadDeny], context: VIA_RDS }),
      /Dead.*never present/,
    );
  });

  it("refuses an action that does not exist", async () => {
    await assert.rejects(
      simulate({ ...decrypt, action: "kms:Decrpyt", context: VIA_RDS }),
      (e: Error) => e instanceof SimulationRefused && /Decrpyt does not exist/.test(e.message),
    );
  });

  it("evaluates service principals against the resource policy alone", async () => {
    const fn = "arn:aws:lambda:eu-central-1:222222222222:function:intake";
    const topic = "arn:aws:sns:eu-west-1:111111111111:announce";
    const permission = policy([
      {
        Effect: "Allow",
        Principal: { Service: "sns.amazonaws.com" },
        Action: "lambda:InvokeFunction",
        Resource: fn,
        Condition: { ArnLike: { "aws:SourceArn": topic } },
      },
    ]);
    const invoke = {
      principal: "sns.amazonaws.com",
      action: "lambda:InvokeFunction",
      resource: fn,
      resourcePolicy: permission,
    };
    assert.equal(await simulate({ ...invoke, context: { "aws:SourceArn": topic } }), "Allowed");
    assert.equal(await simulate({ ...invoke, context: { "aws:SourceArn": `${topic}-other` } }), "ImplicitlyDenied");
  });
});
