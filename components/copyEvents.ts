// RDS's copy-finished events routed to the stack's copy-event handler (functions/steps/copyAwait.ts), which
// resumes the run waiting for that copy. RDS emits the event in the account and region that copied: the
// consumer copies in its own region, so one rule on that region's default bus targets the handler; the producer
// makes transit copies in each destination region, so a rule there forwards the events to the source region's
// default bus (a cross-Region event bus target, with a role allowed events:PutEvents on it: AWS allows Lambda
// targets only in the rule's region), where the same rule as the consumer's targets the handler. Other
// regions are reached with @pulumi/aws v7's per-resource `region`, under the stack's own provider.
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { COPY_FINISHED_EVENT_IDS } from "../functions/decisions/copyCompletion";
import { assumeRolePolicy, document, type IdentityStatement, partitionOf } from "./policies";
import { type BuiltStep, json } from "./shared";

/**
 * The EventBridge pattern of RDS's copy-finished events of DB snapshots. `idPrefix` narrows it to the copies
 * whose identifier starts so (the event's SourceIdentifier is the copy's: the producer's transit copies are
 * `rr-*`; the consumer's copies keep their source's name, so it takes every copy of its account and region).
 */
export function copyFinishedEventPattern(idPrefix?: string): object {
  return {
    source: ["aws.rds"],
    "detail-type": ["RDS DB Snapshot Event"],
    detail: {
      EventID: [...COPY_FINISHED_EVENT_IDS],
      SourceType: ["SNAPSHOT"],
      ...(idPrefix ? { SourceIdentifier: [{ prefix: idPrefix }] } : {}),
    },
  };
}

export interface CopyEventRouting {
  account: string;
  /** The stack's region: its default bus, its handler. */
  region: string;
  /** The regions whose copies the handler awaits besides its own (the producer's other destination regions). */
  otherRegions: readonly string[];
  /** Only copies whose identifier starts so (see copyFinishedEventPattern). */
  idPrefix?: string;
  handler: BuiltStep;
}

/** The rules, targets, permission and (other regions) forwarding role that bring the events to the handler. */
export function routeCopyEvents(name: string, routing: CopyEventRouting, parent: pulumi.Resource): void {
  const pattern = JSON.stringify(copyFinishedEventPattern(routing.idPrefix));
  const rule = new aws.cloudwatch.EventRule(
    `${name}-copy-events`,
    {
      description: "rds-replication: a DB snapshot copy finished (resumes the run awaiting it)",
      eventPattern: pattern,
    },
    { parent },
  );
  new aws.cloudwatch.EventTarget(`${name}-copy-events`, { rule: rule.name, arn: routing.handler.fn.arn }, { parent });
  new aws.lambda.Permission(
    `${name}-copy-events-permission`,
    {
      action: "lambda:InvokeFunction",
      function: routing.handler.fn.name,
      principal: "events.amazonaws.com",
      sourceArn: rule.arn,
    },
    { parent },
  );
  if (routing.otherRegions.length === 0) return;
  const homeBus = `arn:${partitionOf(routing.region)}:events:${routing.region}:${routing.account}:event-bus/default`;
  const role = new aws.iam.Role(
    `${name}-copy-events-forward`,
    {
      description: "EventBridge forwards copy-finished events to the rds-replication stack's region",
      assumeRolePolicy: json(assumeRolePolicy("events", routing.account)),
    },
    { parent },
  );
  new aws.iam.RolePolicy(
    `${name}-copy-events-forward`,
    {
      role: role.id,
      policy: json(
        document<IdentityStatement>([
          { Sid: "ForwardCopyEvents", Effect: "Allow", Action: "events:PutEvents", Resource: homeBus },
        ]),
      ),
    },
    { parent },
  );
  for (const region of routing.otherRegions) {
    const forward = new aws.cloudwatch.EventRule(
      `${name}-copy-events-${region}`,
      { region, description: `rds-replication: a DB snapshot copy finished in ${region}`, eventPattern: pattern },
      { parent },
    );
    new aws.cloudwatch.EventTarget(
      `${name}-copy-events-${region}`,
      { region, rule: forward.name, arn: homeBus, roleArn: role.arn },
      { parent },
    );
  }
}
