// Assertions shared by the source and dest stack tests.
import * as assert from "node:assert/strict";
import type { PolicyDocument, Statement } from "../../../components/policies";
import type { Step } from "../../../functions/catalog";
import { CONFIG_PARAMETER_VARIABLE, decodeRuntimeConfig } from "../../../functions/contracts/runtimeConfig";
import type { StackEvaluation } from "../../../testkit";

export const shortKey = (step: Step) => step.key.replace(`${step.side}-`, "");

/** The children a component makes for one catalog step. */
export function expectedStepChildren(component: string, step: Step): string[] {
  const name = `${component}-${shortKey(step)}`;
  return [
    `aws:iam/role:Role ${name}-role`,
    `aws:iam/rolePolicy:RolePolicy ${name}-policy`,
    `aws:iam/rolePolicy:RolePolicy ${name}-config-policy`,
    `aws:cloudwatch/logGroup:LogGroup ${name}-logs`,
    `aws:sqs/queue:Queue ${name}-dlq`,
    `aws:lambda/function:Function ${name}`,
    `aws:cloudwatch/metricAlarm:MetricAlarm ${name}-errors`,
    `aws:cloudwatch/metricAlarm:MetricAlarm ${name}-dlq-depth`,
  ];
}

/**
 * A step Lambda's environment and the runtime config it reads: the environment names the side's one SSM
 * parameter, and only its step role may read that parameter.
 */
export function runtimeConfigOf(stack: StackEvaluation, side: "producer" | "consumer", fnName: string) {
  const variables = (stack.named(fnName).inputs.environment as { variables: Record<string, string> }).variables;
  const parameter = stack.named(`${side}-runtime-config`);
  assert.equal(variables[CONFIG_PARAMETER_VARIABLE], `${parameter.inputs.name}:${parameter.state.version}`, fnName);
  assert.equal(parameter.inputs.type, "String");
  const read = policyOf(stack.named(`${fnName}-config-policy`).inputs.policy);
  assert.deepEqual(read.Statement, [
    { Sid: "RuntimeConfig", Effect: "Allow", Action: "ssm:GetParameter", Resource: parameter.state.arn },
  ]);
  return { variables, config: JSON.parse(decodeRuntimeConfig(String(parameter.inputs.insecureValue))) as unknown };
}

export const policyOf = (value: unknown): PolicyDocument => JSON.parse(String(value));

export const statementsWith = (policy: PolicyDocument, action: string): Statement[] =>
  policy.Statement.filter((s) => [s.Action].flat().includes(action));

// Actions without resource-level permissions (AWS's Service Authorization Reference): the only ones allowed on "*".
// A task token is no resource: SendTaskSuccess/SendTaskFailure take none (functions/iamResourceTypes.ts).
const NO_RESOURCE_LEVEL =
  /^(rds:Describe(DBSnapshots|DBClusterSnapshots|DBInstances|DBClusters)|xray:(PutTraceSegments|PutTelemetryRecords)|states:SendTask(Success|Failure))$/;

/** No wildcard action, `Resource: "*"` only for actions AWS cannot scope, and every statement an Allow. */
export function assertLeastPrivilege(policy: PolicyDocument, label: string): void {
  for (const s of policy.Statement) {
    const actions = [s.Action].flat();
    assert.ok(
      !actions.includes("*") && actions.every((a) => !a.endsWith(":*")),
      `${label}: wildcard action in ${s.Sid}`,
    );
    if ([s.Resource].flat().includes("*"))
      assert.ok(
        actions.every((a) => NO_RESOURCE_LEVEL.test(a)),
        `${label}: ${actions.join(", ")} on *`,
      );
    assert.equal(s.Effect, "Allow");
  }
}
