// SDK clients, built per invocation. Region comes from AWS_REGION unless a step works in another region
// (the producer's transit copies live in the destination region); the SDK itself honours AWS_ENDPOINT_URL.
import { RDSClient } from "@aws-sdk/client-rds";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SFNClient } from "@aws-sdk/client-sfn";
import { SNSClient } from "@aws-sdk/client-sns";

export function rdsIn(region?: string): RDSClient {
  return new RDSClient(region ? { region } : {});
}

export function snsIn(region?: string): SNSClient {
  return new SNSClient(region ? { region } : {});
}

export function secretsClient(): SecretsManagerClient {
  return new SecretsManagerClient({});
}

export function sfnClient(): SFNClient {
  return new SFNClient({});
}
