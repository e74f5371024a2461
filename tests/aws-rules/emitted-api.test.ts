// Every resource the program emits, at both example stacks and at the large configuration, turned into the
// API requests the provider would send and held to AWS's API models and documented limits.
import * as assert from "node:assert/strict";
import {
  type ApiCheck,
  apiViolations,
  DEFAULT_ACCOUNT_CONCURRENCY,
  LIMIT_RULES,
  RESOURCE_APIS,
} from "../../testkit/aws-rules";
import { type CheckedStack, checkedStacks, LARGE } from "./stacks";

const LABELS = [
  "example source stack",
  "example dest stack",
  "large source stack (200 databases, 20 destinations, 3 regions)",
  "large dest stack (200 RPO overrides)",
];

describe("AWS API constraints of every emitted resource", () => {
  const checks = new Map<string, { stack: CheckedStack; api: ApiCheck }>();

  before(async function () {
    // Four program evaluations, the large ones with hundreds of resources.
    this.timeout(600_000);
    for (const stack of await checkedStacks()) checks.set(stack.label, { stack, api: apiViolations(stack.stack) });
  });

  it("evaluates the large configuration as specified", () => {
    const source = checks.get(LABELS[2])!.stack.stack;
    const destinations = source.ofType("aws:kms/key:Key").filter((k) => k.name.includes("transit-key"));
    assert.equal(destinations.length, LARGE.regions.length, "one transit key per destination region");
    const alarms = checks.get(LABELS[3])!.stack.stack.ofType("aws:cloudwatch/metricAlarm:MetricAlarm");
    assert.ok(alarms.filter((a) => a.name.includes("replication-lag-")).length >= LARGE.databases);
  });

  for (const label of LABELS) {
    describe(label, () => {
      it("maps every AWS resource type it emits to the requests that create it", () => {
        const { stack, api } = checks.get(label)!;
        const types = new Set(stack.stack.resources.map((r) => r.type).filter((t) => t.startsWith("aws")));
        assert.deepEqual(
          [...types].filter((t) => !RESOURCE_APIS[t]),
          [],
        );
        assert.ok(api.requests.length >= api.resources, "at least one request per resource");
      });

      it("sends only requests the API models accept (required members, lengths, patterns, enums, ranges)", () => {
        const { api } = checks.get(label)!;
        assert.deepEqual(
          api.violations.map((v) => `${v.operation} ${v.member}: ${v.message}`),
          [],
        );
      });

      for (const rule of LIMIT_RULES) {
        it(`stays within ${rule.id}: ${rule.rule}`, () => {
          const { api } = checks.get(label)!;
          const found = rule.check({
            requests: api.requests,
            names: api.names,
            accountConcurrency: DEFAULT_ACCOUNT_CONCURRENCY,
          });
          assert.deepEqual(
            found.map((f) => `${f.resource}: ${f.message}`),
            [],
          );
        });
      }
    });
  }
});
