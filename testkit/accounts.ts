// Two accounts and two regions on the emulator, the way the deployed Lambdas see AWS: handlers read
// AWS_REGION and the SDK honours AWS_ENDPOINT_URL, so tests only set the environment.

import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KMSClient } from "@aws-sdk/client-kms";
import { RDSClient } from "@aws-sdk/client-rds";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SFNClient } from "@aws-sdk/client-sfn";
import { SNSClient } from "@aws-sdk/client-sns";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { CONFIG_PARAMETER_VARIABLE, encodeRuntimeConfig } from "../functions/contracts/runtimeConfig";
import { emulatorEndpoint } from "./emulator/lifecycle";

export const SOURCE = { account: "111111111111", region: "eu-west-1" } as const;
export const DEST = { account: "222222222222", region: "eu-central-1" } as const;
export const THIRD = { account: "333333333333", region: "eu-west-1" } as const;

export interface Place {
  readonly account: string;
  readonly region: string;
}

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

const ROOT_CREDENTIALS: Credentials = { accessKeyId: "testing", secretAccessKey: "testing" };

// moto answers AssumeRole into any account with credentials that act in that account.
export async function credentialsFor(account: string): Promise<Credentials> {
  const sts = new STSClient({
    region: "us-east-1",
    endpoint: emulatorEndpoint(),
    credentials: ROOT_CREDENTIALS,
  });
  const { Credentials: c } = await sts.send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/rds-replication-test`, RoleSessionName: "test" }),
  );
  if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`AssumeRole into ${account} returned no credentials`);
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

export interface Clients {
  readonly place: Place;
  readonly credentials: Credentials;
  readonly rds: RDSClient;
  readonly kms: KMSClient;
  readonly sns: SNSClient;
  readonly sfn: SFNClient;
  readonly secrets: SecretsManagerClient;
  readonly ssm: SSMClient;
  readonly dynamodb: DynamoDBClient;
}

export async function clientsFor(place: Place): Promise<Clients> {
  const credentials = await credentialsFor(place.account);
  const config = { region: place.region, endpoint: emulatorEndpoint(), credentials, maxAttempts: 1 };
  return {
    place,
    credentials,
    rds: new RDSClient(config),
    kms: new KMSClient(config),
    sns: new SNSClient(config),
    sfn: new SFNClient(config),
    secrets: new SecretsManagerClient(config),
    ssm: new SSMClient(config),
    dynamodb: new DynamoDBClient(config),
  };
}

/**
 * Stores a side's runtime config the way the program does (one SSM parameter, same encoding) in the clients'
 * account and region, and returns the environment that names it. Each call gets a parameter of its own: the
 * handlers cache a config per parameter name for the life of the process, as Lambda does per cold start.
 */
export async function runtimeConfigEnvironment(
  clients: Clients,
  side: "producer" | "consumer",
  config: object,
): Promise<Record<string, string>> {
  const name = `/rds-replication/local-${randomUUID()}/${side}/runtime-config`;
  const { value, tier } = encodeRuntimeConfig(JSON.stringify(config));
  const { Version } = await clients.ssm.send(
    new PutParameterCommand({ Name: name, Value: value, Type: "String", Tier: tier }),
  );
  return { [CONFIG_PARAMETER_VARIABLE]: `${name}:${Version}` };
}

const HANDLER_VARIABLES = [
  "AWS_REGION",
  "AWS_ENDPOINT_URL",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
] as const;

// Runs `fn` with the environment a Lambda in `place` would have, pointed at the emulator, then restores it.
export async function asLambdaIn<T>(
  place: Place,
  fn: () => Promise<T>,
  extraEnvironment: Record<string, string> = {},
): Promise<T> {
  const credentials = await credentialsFor(place.account);
  const variables: Record<string, string | undefined> = {
    AWS_REGION: place.region,
    AWS_ENDPOINT_URL: emulatorEndpoint(),
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: credentials.sessionToken,
    ...extraEnvironment,
  };
  // Handlers of one Lambda may overlap (a test delivering one event twice at once): they share the environment,
  // and only the last to finish restores what the first found. Another environment must wait its turn.
  const environment = JSON.stringify(variables);
  while (inside && inside.environment !== environment) await inside.done;
  if (inside) {
    inside.depth += 1;
  } else {
    const saved = new Map<string, string | undefined>();
    for (const key of [...HANDLER_VARIABLES, ...Object.keys(extraEnvironment)]) saved.set(key, process.env[key]);
    for (const [key, value] of Object.entries(variables)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    let release: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    inside = { environment, depth: 1, saved, done, release };
  }
  const current = inside;
  try {
    return await fn();
  } finally {
    current.depth -= 1;
    if (current.depth === 0) {
      for (const [key, value] of current.saved) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      inside = undefined;
      current.release();
    }
  }
}

let inside:
  | {
      environment: string;
      depth: number;
      saved: Map<string, string | undefined>;
      done: Promise<void>;
      release: () => void;
    }
  | undefined;
