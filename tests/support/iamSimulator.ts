// Evaluates one AWS request against the policy documents the program emits, with @cloud-copilot/iam-simulate
// (AGPL, dev dependency only: it never ships in a Lambda). A simulation that silently drops a context key or
// never looks at a condition would let a typo pass as "denied", so every call is refused (throws) unless:
// - the library accepted the policies, the action and the resource ARN;
// - every context key of the request applies to the action (the library reports the ones it dropped);
// - every condition key written in the policies exists in AWS's catalogue;
// - every condition key of a statement that covers the requested action can be present in such a request.
import {
  allowedContextKeysForRequest,
  type RunSimulationResults,
  runSimulation,
  typeForContextKey,
} from "@cloud-copilot/iam-simulate";
import { actionMatches } from "../../functions/catalog";
import type { Statement } from "../../policy/documents";

/** The policy grammar the policy pack reads (policy/documents.ts), with the effect the simulator needs. */
export type PolicyStatement = Statement & { Effect: "Allow" | "Deny" };

export interface PolicyDocument {
  Version: string;
  Id?: string;
  Statement: PolicyStatement | PolicyStatement[];
}

export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

export interface SimulationRequest {
  /** An IAM role or account ARN, or a service principal such as "sns.amazonaws.com". */
  readonly principal: string;
  readonly action: string;
  /** The resource ARN; "*" only for actions without resource-level permissions. */
  readonly resource: string;
  /** The account owning the resource; by default read from the ARN (or the principal's account for "*"). */
  readonly resourceAccount?: string;
  readonly context?: Record<string, string | string[]>;
  /** Policies attached to the principal (none for a service principal). */
  readonly identityPolicies?: readonly PolicyDocument[];
  /** Key policy, topic policy or Lambda resource policy of the resource, if any. */
  readonly resourcePolicy?: PolicyDocument;
  /** Service control policies attached to the account (next to AWS's default FullAWSAccess), if any. */
  readonly serviceControlPolicies?: readonly PolicyDocument[];
}

// AWS Organizations attaches FullAWSAccess by default; an SCP that only denies leaves everything else allowed.
const FULL_AWS_ACCESS: PolicyDocument = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
};

export class SimulationRefused extends Error {
  override readonly name = "SimulationRefused";
}

const ACCOUNT_IN_ARN = /^arn:aws[a-z-]*:[^:]+:[^:]*:(\d{12}):/;
const SERVICE_PRINCIPAL = /^[a-z0-9.-]+\.amazonaws\.com$/;

export function accountOf(arn: string): string | undefined {
  return ACCOUNT_IN_ARN.exec(arn)?.[1];
}

export function statementsOf(policy: PolicyDocument): PolicyStatement[] {
  return Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
}

export function asList<T>(value: T | readonly T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? [...value] : [value as T];
}

function statementCoversAction(statement: PolicyStatement, action: string): boolean {
  if (statement.NotAction !== undefined) return !asList(statement.NotAction).some((p) => actionMatches(p, action));
  return asList(statement.Action).some((p) => actionMatches(p, action));
}

function conditionKeysOf(statement: PolicyStatement): string[] {
  return Object.values(statement.Condition ?? {}).flatMap((byKey) => Object.keys(byKey));
}

// What AWS puts into every signed request of an IAM principal over HTTPS; a test may override any of them.
function implicitContext(principal: string): Record<string, string> {
  if (SERVICE_PRINCIPAL.test(principal)) {
    return {
      "aws:PrincipalIsAWSService": "true",
      "aws:PrincipalServiceName": principal,
      "aws:SecureTransport": "true",
    };
  }
  const account = accountOf(principal);
  if (!account) throw new SimulationRefused(`principal ${principal} is neither an IAM ARN nor a service principal`);
  return {
    "aws:PrincipalArn": principal,
    "aws:PrincipalAccount": account,
    "aws:PrincipalIsAWSService": "false",
    "aws:SecureTransport": "true",
  };
}

async function assertConditionKeysExist(policies: readonly PolicyDocument[]): Promise<void> {
  for (const statement of policies.flatMap(statementsOf)) {
    for (const key of conditionKeysOf(statement)) {
      try {
        await typeForContextKey(key);
      } catch {
        throw new SimulationRefused(`condition key "${key}" (statement ${statement.Sid ?? "?"}) does not exist in AWS`);
      }
    }
  }
}

// A key that can never be in the request makes a condition always false (Allow never applies) or, with
// ...IfExists / Null, always true: either way the statement does not say what its author meant.
async function assertConditionKeysApply(request: SimulationRequest, policies: readonly PolicyDocument[]) {
  const [service, action] = request.action.split(":");
  const allowed = await allowedContextKeysForRequest(service, action, request.resource, false, undefined).catch(
    (e: Error) => {
      throw new SimulationRefused(`${request.action}: ${e.message}`);
    },
  );
  const applies = (key: string) => {
    const lower = key.toLowerCase();
    if (allowed.includes(lower)) return true;
    const slash = lower.indexOf("/");
    return slash > 0 && allowed.some((a) => a.startsWith(lower.slice(0, slash + 1)));
  };
  for (const statement of policies.flatMap(statementsOf)) {
    if (!statementCoversAction(statement, request.action)) continue;
    for (const key of conditionKeysOf(statement)) {
      if (!applies(key)) {
        throw new SimulationRefused(
          `condition key "${key}" of statement ${statement.Sid ?? "?"} is never present in a ${request.action} request`,
        );
      }
    }
  }
}

function ignoredKeysOf(result: RunSimulationResults): string[] {
  if (result.resultType === "single") return result.result.ignoredContextKeys ?? [];
  if (result.resultType === "wildcard") return result.results.flatMap((r) => r.ignoredContextKeys ?? []);
  return [];
}

export async function simulate(request: SimulationRequest): Promise<Decision> {
  const identityPolicies = request.identityPolicies ?? [];
  const scps = request.serviceControlPolicies ?? [];
  const policies = [...identityPolicies, ...(request.resourcePolicy ? [request.resourcePolicy] : []), ...scps];
  await assertConditionKeysExist(policies);
  await assertConditionKeysApply(request, policies);
  const resourceAccount = request.resourceAccount ?? accountOf(request.resource) ?? accountOf(request.principal);
  if (!resourceAccount) throw new SimulationRefused(`no account known for resource ${request.resource}`);
  const result = await runSimulation(
    {
      request: {
        principal: request.principal,
        action: request.action,
        resource: { resource: request.resource, accountId: resourceAccount },
        contextVariables: { ...implicitContext(request.principal), ...request.context },
      },
      identityPolicies: identityPolicies.map((policy, i) => ({ name: `identity-${i}`, policy })),
      serviceControlPolicies:
        scps.length > 0
          ? [
              {
                orgIdentifier: "o-rdsreplication",
                policies: [FULL_AWS_ACCESS, ...scps].map((policy, i) => ({ name: `scp-${i}`, policy })),
              },
            ]
          : [],
      resourceControlPolicies: [],
      resourcePolicy: request.resourcePolicy,
    },
    { simulationMode: "Strict" },
  );
  if (result.resultType === "error") {
    throw new SimulationRefused(`simulation of ${request.action} refused: ${JSON.stringify(result.errors)}`);
  }
  const ignored = ignoredKeysOf(result);
  if (ignored.length > 0) {
    throw new SimulationRefused(`context keys ignored for ${request.action} on ${request.resource}: ${ignored}`);
  }
  return result.overallResult;
}
