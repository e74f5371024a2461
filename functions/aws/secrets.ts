// Reading and writing the JSON secret that tells applications which database to use.
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  TagResourceCommand,
} from "@aws-sdk/client-secrets-manager";
import { replicationError } from "../decisions/errors";
import { secretsClient } from "./clients";

export async function readSecret(name: string): Promise<Record<string, unknown>> {
  const out = await secretsClient().send(new GetSecretValueCommand({ SecretId: name }));
  try {
    const value = JSON.parse(out.SecretString ?? "{}");
    if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error("not an object");
    return value as Record<string, unknown>;
  } catch (error) {
    throw replicationError("ConfigInvalid", `secret ${name} is not a JSON object: ${(error as Error).message}`);
  }
}

export async function writeSecret(name: string, value: Record<string, unknown>, token: string): Promise<void> {
  await secretsClient().send(
    new PutSecretValueCommand({ SecretId: name, SecretString: JSON.stringify(value), ClientRequestToken: token }),
  );
}

/** A tag of the secret (its metadata: applications reading the value never see it). */
export async function readSecretTag(name: string, key: string): Promise<string | undefined> {
  const out = await secretsClient().send(new DescribeSecretCommand({ SecretId: name }));
  return out.Tags?.find((t) => t.Key === key)?.Value;
}

export async function tagSecret(name: string, key: string, value: string): Promise<void> {
  await secretsClient().send(new TagResourceCommand({ SecretId: name, Tags: [{ Key: key, Value: value }] }));
}
