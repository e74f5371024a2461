// Assertions shared by the source and dest stack tests.
import * as assert from "node:assert/strict";
import type { PolicyDocument, Statement } from "../../../components/policies";
import type { Step } from "../../../functions/catalog";

export const shortKey = (step: Step) => step.key.replace(`${step.side}-`, "");

/** The children a component makes for one catalog step. */
export function expectedStepChildren(component: string, step: Step): string[] {
  const name = `${component}-${shortKey(step)}`;
  return [
    `aws:iam/role:Role ${name}-role`,
    `aws:iam/rolePolicy:RolePolicy ${name}-policy`,
    `aws:cloudwatch/logGroup:LogGroup ${name}-logs`,
    `aws:sqs/queue:Queue ${name}-dlq`,
    `aws:lambda/function:Function ${name}`,
    `aws:cloudwatch/metricAlarm:MetricAlarm ${name}-errors`,
    `aws:cloudwatch/metricAlarm:MetricAlarm ${name}-dlq-depth`,
  ];
}

export const policyOf = (value: unknown): PolicyDocument => JSON.parse(String(value));

export const statementsWith = (policy: PolicyDocument, action: string): Statement[] =>
  policy.Statement.filter((s) => [s.Action].flat().includes(action));

// Actions without resource-level permissions (AWS's Service Authorization Reference): the only ones allowed on "*".
const NO_RESOURCE_LEVEL =
  /^(rds:Describe(DBSnapshots|DBClusterSnapshots|DBInstances|DBClusters)|xray:(PutTraceSegments|PutTelemetryRecords))$/;

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
