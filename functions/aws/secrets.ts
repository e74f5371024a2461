// Reading and writing the JSON secret that tells applications which database to use.
import { GetSecretValueCommand, PutSecretValueCommand } from "@aws-sdk/client-secrets-manager";
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
