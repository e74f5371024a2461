// The emulator refuses a trust policy with a Resource, as IAM does (testkit/emulator/moto_server.py, fix 3):
// plain moto's CreateRole stores such a role, so a program emitting one would pass every emulator test and
// fail on its first deploy. The project ships no IAM client, so the calls are IAM Query requests signed here.
import { strict as assert } from "node:assert";
import { createHash, createHmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import type { Checksum, SourceData } from "@smithy/types";
import { assumeRolePolicy } from "../../components/policies";
import { type Credentials, credentialsFor, emulatorEndpoint, SOURCE } from "../../testkit";

class Sha256 implements Checksum {
  private readonly hash: { update(data: Uint8Array): unknown; digest(): Buffer };
  constructor(secret?: SourceData) {
    this.hash = secret ? createHmac("sha256", secret as Buffer) : createHash("sha256");
  }
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {}
}

interface IamAnswer {
  status: number;
  body: string;
}

async function iam(credentials: Credentials, action: string, params: Record<string, string>): Promise<IamAnswer> {
  const url = new URL(emulatorEndpoint());
  const body = new URLSearchParams({ Action: action, Version: "2010-05-08", ...params }).toString();
  const signer = new SignatureV4({ credentials, region: "us-east-1", service: "iam", sha256: Sha256 });
  const signed = await signer.sign({
    method: "POST",
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: "/",
    headers: { host: url.host, "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
    body,
  });
  const response = await fetch(url, { method: "POST", headers: signed.headers, body });
  return { status: response.status, body: await response.text() };
}

const TRUST_WITH_RESOURCE = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole", Resource: "*" },
  ],
});
const TRUST_WITH_NOT_RESOURCE = TRUST_WITH_RESOURCE.replace('"Resource"', '"NotResource"');

const refusedAsAws = (answer: IamAnswer) => {
  assert.equal(answer.status, 400, answer.body);
  assert.match(answer.body, /<Code>MalformedPolicyDocument<\/Code>/);
  assert.match(answer.body, /Has prohibited field Resource/);
};

describe("emulator: IAM trust policies", () => {
  let credentials: Credentials;
  before(async () => {
    credentials = await credentialsFor(SOURCE.account);
  });

  it("CreateRole refuses a trust policy with Resource or NotResource (MalformedPolicyDocument)", async () => {
    refusedAsAws(
      await iam(credentials, "CreateRole", {
        RoleName: "with-resource",
        AssumeRolePolicyDocument: TRUST_WITH_RESOURCE,
      }),
    );
    refusedAsAws(
      await iam(credentials, "CreateRole", {
        RoleName: "with-not-resource",
        AssumeRolePolicyDocument: TRUST_WITH_NOT_RESOURCE,
      }),
    );
    const lookup = await iam(credentials, "GetRole", { RoleName: "with-resource" });
    assert.match(lookup.body, /NoSuchEntity/, "the refused role was not created");
  });

  it("creates the roles the program declares, and UpdateAssumeRolePolicy refuses a Resource", async () => {
    for (const service of ["lambda", "states", "events"] as const) {
      const created = await iam(credentials, "CreateRole", {
        RoleName: `program-${service}`,
        AssumeRolePolicyDocument: JSON.stringify(assumeRolePolicy(service, SOURCE.account)),
      });
      assert.equal(created.status, 200, created.body);
    }
    refusedAsAws(
      await iam(credentials, "UpdateAssumeRolePolicy", {
        RoleName: "program-lambda",
        PolicyDocument: TRUST_WITH_RESOURCE,
      }),
    );
  });
});
