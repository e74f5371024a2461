// Every policy document a recorded stack declares, with the grammar AWS reads it in: a role's trust policy,
// an identity policy (inline role policies), or a resource policy (KMS key, SNS topic, Lambda function).
import { RESOURCE_POLICY_TYPES, TYPES } from "../../policy/checks";
import type { RecordedResource, StackEvaluation } from "../../testkit";

export type Grammar = "trust" | "identity" | "resource";

export interface EmittedPolicy {
  readonly grammar: Grammar;
  /** Resource type and logical name of the declaring resource. */
  readonly where: string;
  readonly document: unknown;
}

const parsed = (value: unknown): unknown => (typeof value === "string" ? JSON.parse(value) : value);

/**
 * The statement Lambda's AddPermission writes into the function's resource policy for a permission
 * (AWS Lambda Developer Guide, "Viewing resource-based IAM policies in Lambda"): the service or account as
 * principal, the function as resource, the source ARN and account as conditions.
 */
function lambdaPermissionPolicy(permission: RecordedResource, functions: readonly RecordedResource[]): unknown {
  const { function: fn, principal, action, sourceArn, sourceAccount } = permission.inputs as Record<string, string>;
  const target = functions.find((f) => f.state.name === fn || f.state.arn === fn);
  if (!target) throw new Error(`${permission.name}: no recorded function ${fn}`);
  const condition = {
    ...(sourceArn ? { ArnLike: { "AWS:SourceArn": sourceArn } } : {}),
    ...(sourceAccount ? { StringEquals: { "AWS:SourceAccount": sourceAccount } } : {}),
  };
  return {
    Version: "2012-10-17",
    Id: "default",
    Statement: [
      {
        Sid: permission.name,
        Effect: "Allow",
        Principal: principal.endsWith(".amazonaws.com") ? { Service: principal } : { AWS: principal },
        Action: action,
        Resource: target.state.arn,
        ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
      },
    ],
  };
}

function policiesOf(resource: RecordedResource, functions: readonly RecordedResource[]): EmittedPolicy[] {
  const where = `${resource.type} ${resource.name}`;
  const one = (grammar: Grammar, value: unknown): EmittedPolicy[] =>
    value === undefined ? [] : [{ grammar, where, document: parsed(value) }];
  switch (resource.type) {
    case TYPES.role:
      return [
        ...one("trust", resource.inputs.assumeRolePolicy),
        ...((resource.inputs.inlinePolicies as { policy?: unknown }[] | undefined) ?? []).flatMap((p) =>
          one("identity", p.policy),
        ),
      ];
    case TYPES.rolePolicy:
    case TYPES.policy:
      return one("identity", resource.inputs.policy);
    case TYPES.lambdaPermission:
      return [{ grammar: "resource", where, document: lambdaPermissionPolicy(resource, functions) }];
    default:
      return RESOURCE_POLICY_TYPES.includes(resource.type) ? one("resource", resource.inputs.policy) : [];
  }
}

/** Every policy document of a stack, by grammar. */
export function emittedPolicies(stack: StackEvaluation): EmittedPolicy[] {
  const functions = stack.ofType(TYPES.lambda);
  return stack.resources.flatMap((r) => policiesOf(r, functions));
}
