// The runtime config on the emulator: Lambda refuses environments over 4 KB (the launcher makes moto refuse as
// AWS does), so each step reads its side's config from one SSM parameter, once per cold start.
import { strict as assert } from "node:assert";
import { CreateTopicCommand } from "@aws-sdk/client-sns";
import { PutParameterCommand } from "@aws-sdk/client-ssm";
import { CONFIG_PARAMETER_VARIABLE } from "../../functions/contracts/runtimeConfig";
import { notify as notifySource } from "../../functions/steps/notify";
import {
  asLambdaIn,
  type Clients,
  clientsFor,
  emulatorEndpoint,
  runtimeConfigEnvironment,
  SOURCE,
  serialized,
} from "../../testkit";
import { largeProducerConfig } from "../support/largeConfig";

const LAMBDA_ROLE = `arn:aws:iam::${SOURCE.account}:role/step`;

// No Lambda or IAM SDK client is installed: plain requests, signed only as far as moto reads them (the access
// key says the account).
async function call(clients: Clients, service: string, region: string, path: string, init: RequestInit) {
  const { accessKeyId, sessionToken } = clients.credentials;
  const response = await fetch(`${emulatorEndpoint()}${path}`, {
    ...init,
    headers: {
      ...(init.headers as Record<string, string>),
      authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20240101/${region}/${service}/aws4_request, SignedHeaders=host, Signature=0`,
      ...(sessionToken ? { "x-amz-security-token": sessionToken } : {}),
    },
  });
  return { status: response.status, text: await response.text() };
}

async function lambdaRole(clients: Clients): Promise<void> {
  const trust = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
  });
  const body = new URLSearchParams({
    Action: "CreateRole",
    Version: "2010-05-08",
    RoleName: "step",
    AssumeRolePolicyDocument: trust,
  });
  const { status, text } = await call(clients, "iam", "us-east-1", "/", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: body.toString(),
  });
  assert.equal(status, 200, text);
}

const createFunction = (clients: Clients, name: string, variables: Record<string, string>) =>
  call(clients, "lambda", clients.place.region, "/2015-03-31/functions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      FunctionName: name,
      Runtime: "nodejs22.x",
      Role: LAMBDA_ROLE,
      Handler: "index.handler",
      Code: { ZipFile: Buffer.from("not run").toString("base64") },
      Environment: { Variables: variables },
    }),
  });

const updateEnvironment = (clients: Clients, name: string, variables: Record<string, string>) =>
  call(clients, "lambda", clients.place.region, `/2015-03-31/functions/${name}/configuration`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ Environment: { Variables: variables } }),
  });

const REFUSED = /InvalidParameterValueException[\s\S]*exceeded the 4KB limit/;

describe("emulator: Lambda's 4 KB environment limit", () => {
  let clients: Clients;
  beforeEach(async () => {
    clients = await clientsFor(SOURCE);
    await lambdaRole(clients);
  });

  it("refuses CreateFunction with environment variables over 4 KB, as AWS does, and accepts 4 KB", async () => {
    // {"A":"..."} is 8 bytes of JSON around the value.
    const refused = await createFunction(clients, "too-big", { A: "x".repeat(4096 - 7) });
    assert.equal(refused.status, 400);
    assert.match(refused.text, REFUSED);
    const accepted = await createFunction(clients, "just-fits", { A: "x".repeat(4096 - 8) });
    assert.equal(accepted.status, 201, accepted.text);
  });

  it("refuses UpdateFunctionConfiguration that grows the environment over 4 KB", async () => {
    assert.equal((await createFunction(clients, "step", { A: "small" })).status, 201);
    const refused = await updateEnvironment(clients, "step", { A: "x".repeat(3000), B: "y".repeat(1100) });
    assert.equal(refused.status, 400);
    assert.match(refused.text, REFUSED);
    assert.equal((await updateEnvironment(clients, "step", { A: "x".repeat(3000) })).status, 200);
  });

  it("refuses the environment the program used to give each step at 50 databases x 10 destinations", async () => {
    const oldEnvironment = { RDS_REPLICATION_CONFIG: JSON.stringify(largeProducerConfig(50, 10)) };
    assert.match((await createFunction(clients, "old", oldEnvironment)).text, REFUSED);
  });
});

describe("step Lambdas read the runtime config from SSM", () => {
  const notify = async (event: unknown) => (await serialized(notifySource)).handler(event);
  const event = { side: "producer", outcome: "succeeded", execution: "run-1", state: { items: [], results: [] } };
  let clients: Clients;
  beforeEach(async () => {
    clients = await clientsFor(SOURCE);
  });

  async function topicConfig(databases = 1, destinations = 1) {
    const { TopicArn } = await clients.sns.send(new CreateTopicCommand({ Name: "notify" }));
    return { ...largeProducerConfig(databases, destinations), notifyTopicArn: TopicArn! };
  }

  it("reads once per cold start: a changed parameter is seen by a new environment, not by a warm one", async () => {
    const env = await runtimeConfigEnvironment(clients, "producer", await topicConfig());
    const first = await asLambdaIn(SOURCE, () => notify(event), env);
    assert.ok(first.messageId);
    const [name, version] = env[CONFIG_PARAMETER_VARIABLE].split(":");
    assert.equal(version, "1");
    await clients.ssm.send(new PutParameterCommand({ Name: name, Value: "{}", Type: "String", Overwrite: true }));
    const warm = await asLambdaIn(SOURCE, () => notify(event), env);
    assert.ok(warm.messageId, "the warm environment keeps the config it read");
    // A deploy that changes the config names the new version: that environment reads it (and refuses it).
    await assert.rejects(
      asLambdaIn(SOURCE, () => notify(event), { [CONFIG_PARAMETER_VARIABLE]: `${name}:2` }),
      /is invalid: .*version/,
    );
    const cold = await runtimeConfigEnvironment(clients, "producer", { version: 1, account: "x" });
    await assert.rejects(
      asLambdaIn(SOURCE, () => notify(event), cold),
      (e: Error) =>
        e.name === "ConfigInvalid" &&
        e.message.includes(cold[CONFIG_PARAMETER_VARIABLE]) &&
        /account: must be a 12-digit/.test(e.message),
    );
  });

  it("runs with a config far over 4 KB (200 databases x 20 destinations), compressed into one parameter", async () => {
    const config = await topicConfig(200, 20);
    assert.ok(JSON.stringify(config).length > 16 * 1024);
    const env = await runtimeConfigEnvironment(clients, "producer", config);
    assert.ok(Buffer.byteLength(JSON.stringify(env)) < 200, JSON.stringify(env));
    const result = await asLambdaIn(SOURCE, () => notify(event), env);
    assert.ok(result.messageId);
  });

  it("says which variable is missing when the environment names no parameter", async () => {
    await assert.rejects(
      asLambdaIn(SOURCE, () => notify(event), { [CONFIG_PARAMETER_VARIABLE]: "" }),
      /RDS_REPLICATION_CONFIG_PARAMETER is not set/,
    );
  });
});
