import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { RETENTION_PRESETS } from "../../../functions/decisions/retentionPolicy";
import {
  CONFIG_KEYS,
  ConfigError,
  type DestStackConfig,
  parseStackConfig,
  rawConfigFromPulumi,
  refreshOf,
  retentionPolicyOf,
  rpoOf,
  type SourceStackConfig,
  scheduleExpressionProblem,
} from "../../../stack/config";
import { DEST_ACCOUNT, PROJECT_DIR, SOURCE_ACCOUNT, stackFileConfig } from "../../../testkit";

const SOURCE_HERE = { account: SOURCE_ACCOUNT, region: "eu-west-1" };
const DEST_HERE = { account: DEST_ACCOUNT, region: "eu-central-1" };

// A stack file's config as the program receives it: through Pulumi's string map.
function fromStackFile(stack: string): { project: Record<string, unknown>; awsRegion?: string } {
  const config = stackFileConfig(stack);
  return rawConfigFromPulumi(
    Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])),
  );
}

const validSource = () => ({ ...fromStackFile("source").project });
const validDest = () => ({ ...fromStackFile("dest").project });

function problemsOf(raw: Record<string, unknown>, here = SOURCE_HERE): string[] {
  try {
    parseStackConfig(raw, here);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
    assert.ok(error.message.startsWith("Invalid rds-replication configuration:"));
    return [...error.problems];
  }
  assert.fail("expected the config to be rejected");
}

function assertOneProblem(raw: Record<string, unknown>, expected: string, here = SOURCE_HERE) {
  assert.deepEqual(problemsOf(raw, here), [expected]);
}

describe("program config", () => {
  describe("the example stack files", () => {
    it("Pulumi.source.yaml is a valid source stack, with its destinations, selection and triggers", () => {
      const { project, awsRegion } = fromStackFile("source");
      assert.equal(awsRegion, "eu-west-1");
      const config = parseStackConfig(project, { account: SOURCE_ACCOUNT, region: awsRegion! }) as SourceStackConfig;
      assert.equal(config.role, "source");
      assert.deepEqual(config.destinations, [
        { account: "222222222222", region: "eu-central-1", databases: ["orders-db", "billing-aurora"] },
        { account: "333333333333", region: "eu-west-1", databases: [] },
      ]);
      assert.deepEqual(config.instances, ["orders-db"]);
      assert.deepEqual(config.clusters, ["billing-aurora"]);
      assert.deepEqual(config.selectorTags, [["replicate-to-dr", "true"]]);
      assert.equal(config.schedule, "cron(0 2 * * ? *)");
      assert.equal(config.transitKeep, 2);
      assert.equal(config.transitDeletionsEnabled, false);
      assert.deepEqual(config.notificationEmails, ["dba@example.com"]);
    });

    it("Pulumi.dest.yaml is a valid dest stack refreshing two databases, each into its own secret", () => {
      const { project, awsRegion } = fromStackFile("dest");
      const config = parseStackConfig(project, { account: DEST_ACCOUNT, region: awsRegion! }) as DestStackConfig;
      assert.deepEqual(config.sources, ["acme/rds-replication/source"]);
      assert.deepEqual(retentionPolicyOf(config), RETENTION_PRESETS.Standard);
      assert.equal(config.retentionTagKey, "Draco_Lifecycle");
      assert.equal(config.deletionsEnabled, false);
      const refresh = refreshOf(config)!;
      assert.equal(refresh.cleanupEnabled, true, "cleanup of restored instances is on while deletions stay dry run");
      assert.deepEqual(refresh.network, {
        cidrBlock: "10.42.0.0/16",
        availabilityZones: ["eu-central-1a", "eu-central-1b"],
      });
      assert.deepEqual(
        refresh.targets.map((t) => [
          t.database,
          t.kind,
          t.instanceClass,
          t.secretName,
          t.instancePrefix,
          t.keepInstances,
        ]),
        [
          ["orders-db", "instance", "db.t4g.medium", "rds-replication/orders-db", "orders-dev", 2],
          ["billing-aurora", "cluster", "db.r6g.large", "rds-replication/billing-aurora", "billing-dev", 1],
        ],
      );
      assert.deepEqual(
        refresh.targets.map((t) => [t.maxRestoresPerDay, t.subnetGroupName, t.securityGroupIds]),
        [
          [2, undefined, []],
          [2, undefined, []],
        ],
      );
    });

    it("Pulumi.yaml declares every key the program reads, with its type and a description, and nothing else", () => {
      const project = parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8"));
      assert.equal(project.name, "rds-replication");
      assert.equal(project.runtime.name, "nodejs");
      assert.ok(project.description.length > 20);
      assert.deepEqual(Object.keys(project.config).sort(), Object.keys(CONFIG_KEYS).sort());
      for (const [key, declaration] of Object.entries<{ type?: string; description: string; items?: { type: string } }>(
        project.config,
      )) {
        // A list of objects cannot be typed in Pulumi.yaml (its arrays take items of a simple type only).
        if (CONFIG_KEYS[key].type === "objects") assert.equal(declaration.type, undefined, key);
        else assert.equal(declaration.type, CONFIG_KEYS[key].type, key);
        assert.ok(declaration.description.length > 10, `${key} has a description`);
        // Pulumi applies declared defaults to every stack; the program applies them per role instead.
        assert.equal("default" in declaration, false, `${key} has no default in Pulumi.yaml`);
        if (declaration.type === "array") assert.deepEqual(declaration.items, { type: "string" }, key);
      }
    });

    it("every key of the example stacks is declared for its role", () => {
      for (const stack of ["source", "dest"]) {
        const { project } = fromStackFile(stack);
        for (const key of Object.keys(project))
          assert.ok(CONFIG_KEYS[key]?.roles.includes(project.role as "source"), `${stack}: ${key}`);
      }
    });
  });

  describe("defaults", () => {
    it("a minimal source stack reacts to both snapshot kinds, keeps 2 transit copies and deletes nothing", () => {
      const config = parseStackConfig(
        { role: "source", destinations: ["222222222222/eu-central-1"], instances: ["db1"] },
        SOURCE_HERE,
      ) as SourceStackConfig;
      assert.equal(config.automatedSnapshots, true);
      assert.equal(config.manualSnapshots, true);
      assert.equal(config.schedule, undefined);
      assert.equal(config.transitKeep, 2);
      assert.equal(config.transitGraceHours, 24);
      assert.equal(config.transitDeletionsEnabled, false);
      // None by default: reservations fail in accounts whose quota leaves less than 100 unreserved.
      assert.equal(config.reservedConcurrency, undefined);
      assert.equal(config.logRetentionDays, 90);
    });

    it("a minimal dest stack uses Standard retention, Draco_Lifecycle, dry-run deletions and no restore", () => {
      const config = parseStackConfig({ role: "dest", sources: ["o/p/s"] }, DEST_HERE) as DestStackConfig;
      assert.deepEqual(retentionPolicyOf(config), RETENTION_PRESETS.Standard);
      assert.equal(config.retentionTagKey, "Draco_Lifecycle");
      assert.equal(config.deletionsEnabled, false);
      assert.equal(config.maxDeletionsPerRun, 10);
      assert.equal(config.holdTagKey, "rds-replication:hold");
      assert.deepEqual(config.minRetention, { copies: 3, days: 7 });
      assert.equal(refreshOf(config), undefined);
      assert.deepEqual(rpoOf(config), { defaultHours: 26, overrides: {} });
    });

    it("the RPO: Pulumi.dest.yaml's default and per-database override", () => {
      const { project, awsRegion } = fromStackFile("dest");
      const config = parseStackConfig(project, { account: DEST_ACCOUNT, region: awsRegion! }) as DestStackConfig;
      assert.deepEqual(rpoOf(config), { defaultHours: 26, overrides: { "orders-db": 4 } });
    });

    it("an explicit retention policy and the Test preset are read as policies", () => {
      const explicit = parseStackConfig(
        { role: "dest", sources: ["o/p/s"], retention: "keepLast=3, daily=7,maxAgeDays=1.5" },
        DEST_HERE,
      );
      assert.deepEqual(retentionPolicyOf(explicit as DestStackConfig), { keepLast: 3, daily: 7, maxAgeDays: 1.5 });
      const test = parseStackConfig({ role: "dest", sources: ["o/p/s"], retention: "Test" }, DEST_HERE);
      assert.deepEqual(retentionPolicyOf(test as DestStackConfig), RETENTION_PRESETS.Test);
    });

    it("a refresh target with an existing subnet group keeps its security groups and groups", () => {
      const config = parseStackConfig(
        {
          role: "dest",
          sources: ["o/p/s"],
          refreshTargets: [
            {
              database: "orders",
              kind: "instance",
              instanceClass: "db.m7g.large",
              secretName: "dev/orders",
              instancePrefix: "orders",
              subnetGroupName: "dev-dbs",
              securityGroupIds: ["sg-0123456789abcdef0"],
              parameterGroupName: "orders-dev",
              optionGroupName: "orders-dev-options",
            },
          ],
        },
        DEST_HERE,
      ) as DestStackConfig;
      const [target] = refreshOf(config, { "dev/orders": "arn:adopted" })!.targets;
      assert.equal(target?.subnetGroupName, "dev-dbs");
      assert.deepEqual(target?.securityGroupIds, ["sg-0123456789abcdef0"]);
      assert.equal(target?.parameterGroupName, "orders-dev");
      assert.equal(target?.keepInstances, 1);
      assert.equal(target?.existingSecretArn, "arn:adopted");
    });
  });

  describe("errors name the key, the value and what is expected", () => {
    it("an RPO outside 1..168 hours or not whole", () => {
      const dest = { ...validDest(), rpoOverrides: [] };
      assert.deepEqual(problemsOf({ ...dest, rpoHours: 0 }, DEST_HERE), [
        "rds-replication:rpoHours = 0: expected a whole number of hours from 1 to 168",
      ]);
      assert.deepEqual(problemsOf({ ...dest, rpoHours: 200 }, DEST_HERE), [
        "rds-replication:rpoHours = 200: expected at most 168 hours (CloudWatch evaluates alarms over at most 7 days)",
      ]);
      assert.deepEqual(problemsOf({ ...dest, rpoHours: 1.5 }, DEST_HERE), [
        "rds-replication:rpoHours = 1.5: expected a whole number of hours from 1 to 168",
      ]);
    });

    it("RPO overrides that are not database=hours, name a bad identifier, or repeat a database", () => {
      assert.deepEqual(
        problemsOf(
          {
            ...validDest(),
            rpoOverrides: ["orders-db", "orders-db=0", "2fast=4", "billing=a day"],
          },
          DEST_HERE,
        ),
        [
          'rds-replication:rpoOverrides[0] = "orders-db": format: expected database=hours',
          'rds-replication:rpoOverrides[1] = "orders-db=0": hours: expected a whole number of hours from 1 to 168',
          'rds-replication:rpoOverrides[2] = "2fast=4": database: expected an RDS identifier: a letter, then letters, digits or single hyphens',
          'rds-replication:rpoOverrides[3] = "billing=a day": hours: expected a whole number of hours from 1 to 168',
        ],
      );
      assertOneProblem(
        { ...validDest(), rpoOverrides: ["billing=6", "orders-db=4", "billing=8"] },
        'rds-replication:rpoOverrides[2] = "billing=8": expected billing only once',
        DEST_HERE,
      );
    });

    it("RPO keys in a source stack", () => {
      assert.deepEqual(problemsOf({ ...validSource(), rpoHours: 4 }), [
        "rds-replication:rpoHours: expected only in a dest stack, this one has role source",
      ]);
    });

    it("an 11-digit account id", () => {
      assertOneProblem(
        { ...validSource(), destinations: ["22222222222/eu-central-1"] },
        'rds-replication:destinations[0] = "22222222222/eu-central-1": account: expected a 12-digit AWS account id',
      );
    });

    it("an unknown destination region", () => {
      assertOneProblem(
        { ...validSource(), destinations: ["222222222222/eu-middle-1"] },
        'rds-replication:destinations[0] = "222222222222/eu-middle-1": region: expected a known AWS region such as eu-west-1',
      );
    });

    it("an unknown stack region", () => {
      assert.deepEqual(problemsOf(validSource(), { account: SOURCE_ACCOUNT, region: "mars-north-1" }), [
        'aws:region = "mars-north-1": expected a known AWS region such as eu-west-1',
      ]);
    });

    it("a destination equal to the source account", () => {
      assertOneProblem(
        { ...validSource(), destinations: ["111111111111/eu-central-1"] },
        'rds-replication:destinations[0] = "111111111111/eu-central-1": account: expected another account than the source account 111111111111 (a snapshot cannot be shared with its own account)',
      );
    });

    it("an invalid schedule expression", () => {
      assertOneProblem(
        { ...validSource(), schedule: "cron(0 2 * * *)" },
        'rds-replication:schedule = "cron(0 2 * * *)": expected 6 cron fields (minutes hours day-of-month month day-of-week year), got 5',
      );
      assertOneProblem(
        { ...validSource(), schedule: "every night" },
        'rds-replication:schedule = "every night": expected rate(<n> <minutes|hours|days>) or cron(<6 fields>)',
      );
    });

    it("a negative retention count", () => {
      assertOneProblem(
        { ...validDest(), retention: "daily=-1" },
        'rds-replication:retention = "daily=-1": daily: expected a non-negative whole number',
        DEST_HERE,
      );
    });

    it("an unknown retention preset or field", () => {
      assertOneProblem(
        { ...validDest(), retention: "Weekly" },
        'rds-replication:retention = "Weekly": "Weekly": expected Test or Standard or comma-separated keepLast|maxAgeDays|daily|weekly|monthly|yearly=N',
        DEST_HERE,
      );
    });

    it("a retention floor as copies=N,days=D, and preset names without case", () => {
      const config = parseStackConfig(
        { role: "dest", sources: ["o/p/s"], minRetention: "copies=5, days=14.5", retention: "sTaNdArD" },
        DEST_HERE,
      ) as DestStackConfig;
      assert.deepEqual(config.minRetention, { copies: 5, days: 14.5 });
      assert.deepEqual(retentionPolicyOf(config), RETENTION_PRESETS.Standard);
      assertOneProblem(
        { ...validDest(), minRetention: "days=7" },
        'rds-replication:minRetention = "days=7": "days=7": expected copies=N,days=D, e.g. copies=3,days=7',
        DEST_HERE,
      );
    });

    it("a transit keep below 1 and a negative deletion bound", () => {
      assertOneProblem(
        { ...validSource(), transitKeep: 0 },
        "rds-replication:transitKeep = 0: expected a whole number >= 1",
      );
      assertOneProblem(
        { ...validDest(), maxDeletionsPerRun: -2 },
        "rds-replication:maxDeletionsPerRun = -2: expected a whole number >= 1",
        DEST_HERE,
      );
    });

    it("a missing or unknown role", () => {
      assert.deepEqual(problemsOf({}), ['rds-replication:role is missing: expected "source" or "dest"']);
      assert.deepEqual(problemsOf({ role: "both" }), ['rds-replication:role = "both": expected "source" or "dest"']);
    });

    it("a key of the other role and an unknown key", () => {
      assert.deepEqual(problemsOf({ ...validSource(), sources: ["o/p/s"], colour: 3 }), [
        "rds-replication:sources: expected only in a dest stack, this one has role source",
        "rds-replication:colour: unknown key, expected one of those documented in docs/configuration.md",
      ]);
    });

    it("a misspelt key names the key of the stack's role that was meant", () => {
      assert.deepEqual(problemsOf({ ...validDest(), retentionTagKy: "Lifecycle", rpohours: 12 }, DEST_HERE), [
        "rds-replication:retentionTagKy: unknown key, did you mean rds-replication:retentionTagKey?",
        "rds-replication:rpohours: unknown key, did you mean rds-replication:rpoHours?",
      ]);
      // A source stack is offered its own keys, not the dest stack's.
      assertOneProblem(
        { ...validSource(), retentionDays: 3 },
        "rds-replication:retentionDays: unknown key, did you mean rds-replication:logRetentionDays?",
      );
    });

    it("copyTags: key=value, not the tool's own keys, each key once, within the room the tool leaves of 50", () => {
      const config = parseStackConfig(
        { ...validDest(), copyTags: ["cost-centre=dr-42", "classification=dr"] },
        DEST_HERE,
      ) as DestStackConfig;
      assert.deepEqual(config.copyTags, [
        ["cost-centre", "dr-42"],
        ["classification", "dr"],
      ]);
      assert.deepEqual(
        problemsOf(
          {
            ...validDest(),
            copyTags: ["managed-by=me", "rds-replication:hold=yes", "a=1", "a=2", "aws:x=1", "novalue"],
          },
          DEST_HERE,
        ),
        [
          'rds-replication:copyTags[0] = "managed-by=me": tag key: expected a key that is not one of the tool\'s own (managed-by, rds-replication:...)',
          'rds-replication:copyTags[1] = "rds-replication:hold=yes": tag key: expected a key that is not one of the tool\'s own (managed-by, rds-replication:...)',
          'rds-replication:copyTags[4] = "aws:x=1": tag key: expected a tag key that does not start with aws: (reserved)',
          'rds-replication:copyTags[5] = "novalue": tag: expected key=value',
        ],
      );
      assert.deepEqual(problemsOf({ ...validDest(), copyTags: ["a=1", "a=2"] }, DEST_HERE), [
        'rds-replication:copyTags[1] = "a=2": expected the key a only once',
      ]);
      const tooMany = Array.from({ length: 43 }, (_, i) => `k${i}=v`);
      assertOneProblem(
        { ...validDest(), copyTags: tooMany },
        `rds-replication:copyTags = ${JSON.stringify(tooMany)}: expected at most 42 tags: a snapshot has at most 50 and the tool writes up to 8 of its own`,
        DEST_HERE,
      );
      assert.deepEqual(problemsOf({ ...validSource(), copyTags: ["a=1"] }), [
        "rds-replication:copyTags: expected only in a dest stack, this one has role source",
      ]);
    });

    it("a misspelt retention preset", () => {
      for (const [typed, meant] of [
        ["Standart", "Standard"],
        ["Tset", "Test"],
      ])
        assertOneProblem(
          { ...validDest(), retention: typed },
          `rds-replication:retention = "${typed}": "${typed}": unknown preset, did you mean ${meant}?`,
          DEST_HERE,
        );
    });

    it("a destination with a trailing slash, and the entry to write instead", () => {
      assertOneProblem(
        { ...validSource(), destinations: ["222222222222/eu-central-1/"] },
        'rds-replication:destinations[0] = "222222222222/eu-central-1/": format: expected no trailing slash: write 222222222222/eu-central-1 (every selected database) or 222222222222/eu-central-1/db1,db2',
      );
    });

    it("a list given as one string, with the --path commands that set it", () => {
      const { project } = rawConfigFromPulumi({
        "rds-replication:role": "source",
        "rds-replication:destinations": "222222222222/eu-central-1/orders-db,billing-aurora",
        "rds-replication:instances": "orders-db, billing-db",
      });
      assert.deepEqual(problemsOf(project), [
        "rds-replication:destinations = \"222222222222/eu-central-1/orders-db,billing-aurora\": expected a list of ACCOUNT/REGION[/db1,db2] entries; set a list item by item: pulumi config set --path 'rds-replication:destinations[0]' 222222222222/eu-central-1/orders-db,billing-aurora",
        "rds-replication:instances = \"orders-db, billing-db\": expected a list; set a list item by item: pulumi config set --path 'rds-replication:instances[0]' orders-db && pulumi config set --path 'rds-replication:instances[1]' billing-db",
      ]);
    });

    it("no destination, no database selected, a destination database outside the selection", () => {
      assertOneProblem(
        { ...validSource(), destinations: [] },
        "rds-replication:destinations = []: expected at least one destination",
      );
      assertOneProblem(
        { role: "source", destinations: ["222222222222/eu-central-1"] },
        "rds-replication:instances is missing: expected instances, clusters or selectorTags that select at least one database",
      );
      assertOneProblem(
        { role: "source", destinations: ["222222222222/eu-central-1/other-db"], instances: ["orders-db"] },
        'rds-replication:destinations[0] = "222222222222/eu-central-1/other-db": expected only selected databases (orders-db), not other-db',
      );
    });

    it("a duplicate destination and a bad tag selector", () => {
      assertOneProblem(
        { ...validSource(), destinations: ["222222222222/eu-central-1", "222222222222/eu-central-1"] },
        'rds-replication:destinations[1] = "222222222222/eu-central-1": expected 222222222222/eu-central-1 only once',
      );
      assertOneProblem(
        { ...validSource(), selectorTags: ["aws:cloudformation:stack-name=x"] },
        'rds-replication:selectorTags[0] = "aws:cloudformation:stack-name=x": tag key: expected a tag key that does not start with aws: (reserved)',
      );
    });

    it("a source stack name that is not fully qualified", () => {
      assertOneProblem(
        { ...validDest(), sources: ["prod"] },
        'rds-replication:sources[0] = "prod": expected a fully qualified stack name org/project/stack',
        DEST_HERE,
      );
    });

    it("the flat restore* keys of earlier versions are refused with the per-database form to use instead", () => {
      const problems = problemsOf(
        {
          role: "dest",
          sources: ["o/p/s"],
          restoreEnabled: true,
          restoreInstanceClass: "db.t4g.medium",
          restoreSecretName: "rds-replication/orders-db",
          restoreInstancePrefix: "orders-dev",
        },
        DEST_HERE,
      );
      assert.equal(problems.length, 1, problems.join("\n"));
      const [message] = problems;
      assert.match(
        message ?? "",
        /^rds-replication:restoreEnabled, rds-replication:restoreInstanceClass, rds-replication:restoreSecretName, rds-replication:restoreInstancePrefix: the flat restore\* keys are replaced by one refresh target per source database/,
      );
      assert.match(
        message ?? "",
        /pulumi config set --path 'rds-replication:refreshTargets\[0\]\.instanceClass' db\.t4g\.medium/,
      );
      assert.match(message ?? "", /refreshTargets\[0\]\.secretName' rds-replication\/orders-db/);
      assert.match(message ?? "", /refreshTargets\[0\]\.instancePrefix' orders-dev/);
    });

    it("refresh targets: every problem listed, with its path as pulumi config set --path names it", () => {
      const target = (database: string, extra: Record<string, unknown> = {}) => ({
        database,
        kind: "instance",
        instanceClass: "db.t4g.medium",
        secretName: `dev/${database}`,
        instancePrefix: `${database}-dev`,
        ...extra,
      });
      assert.deepEqual(
        problemsOf(
          {
            role: "dest",
            sources: ["o/p/s"],
            refreshTargets: [
              target("orders"),
              target("billing", { secretName: "dev/orders" }),
              target("ledger", { instancePrefix: "orders-dev" }),
              target("audit", { kind: "cluster", instanceClass: "db.m5.large" }),
              target("users", { instanceClass: "t4g.medium", securityGroupIds: ["sg-0123456789abcdef0"] }),
              target("orders"),
            ],
            refreshAvailabilityZones: ["eu-central-1a", "eu-west-1b"],
          },
          DEST_HERE,
        ),
        [
          'rds-replication:refreshTargets[3].instanceClass = "db.m5.large": expected an Aurora DB instance class (db.serverless, db.r*, db.x2g, or db.t3/db.t4g medium or large), not db.m5.large',
          'rds-replication:refreshTargets[4].instanceClass = "t4g.medium": expected an RDS instance class such as db.t4g.medium',
          'rds-replication:refreshTargets[4].securityGroupIds = ["sg-0123456789abcdef0"]: expected no security groups when the network is created (it gets its own); set subnetGroupName',
          'rds-replication:refreshAvailabilityZones[1] = "eu-west-1b": expected an availability zone of eu-central-1',
          'rds-replication:refreshTargets[5].database = "orders": expected its own database, orders is also target 0\'s',
          'rds-replication:refreshTargets[1].secretName = "dev/orders": expected its own secretName, dev/orders is also target 0\'s',
          'rds-replication:refreshTargets[5].secretName = "dev/orders": expected its own secretName, dev/orders is also target 0\'s',
          'rds-replication:refreshTargets[2].instancePrefix = "orders-dev": expected its own instancePrefix, orders-dev is also target 0\'s',
          'rds-replication:refreshTargets[5].instancePrefix = "orders-dev": expected its own instancePrefix, orders-dev is also target 0\'s',
        ],
      );
    });

    it("a value of the wrong type, as Pulumi passes it", () => {
      const { project } = rawConfigFromPulumi({
        "rds-replication:role": "source",
        "rds-replication:destinations": '["222222222222/eu-central-1"]',
        "rds-replication:instances": '["db1"]',
        "rds-replication:automatedSnapshots": "yes",
        "rds-replication:transitKeep": "two",
      });
      assert.deepEqual(problemsOf(project), [
        'rds-replication:automatedSnapshots = "yes": expected true or false',
        'rds-replication:transitKeep = "two": expected a whole number >= 1',
      ]);
    });

    it("collects every problem at once", () => {
      const problems = problemsOf({
        ...validSource(),
        destinations: ["1/eu-west-1", "222222222222/nowhere-1"],
        schedule: "rate(1 days)",
        transitKeep: -1,
      });
      assert.equal(problems.length, 4);
      assert.match(problems[0], /destinations\[0\].*12-digit/);
      assert.match(problems[1], /destinations\[1\].*known AWS region/);
      assert.match(problems[2], /schedule = "rate\(1 days\)": expected "days" in singular form/);
      assert.match(problems[3], /transitKeep = -1/);
    });
  });

  describe("schedule expressions", () => {
    it("accepts EventBridge rate and cron expressions", () => {
      for (const ok of [
        "rate(1 day)",
        "rate(5 minutes)",
        "rate(2 hours)",
        "cron(0 2 * * ? *)",
        "cron(15 10 ? * MON-FRI *)",
        "cron(0/15 * L * ? 2030)",
      ])
        assert.equal(scheduleExpressionProblem(ok), undefined, ok);
    });

    it("rejects what EventBridge rejects", () => {
      assert.equal(scheduleExpressionProblem("rate(0 minutes)"), "expected a rate value of at least 1");
      assert.equal(scheduleExpressionProblem("rate(2 day)"), 'expected "day" in plural form');
      assert.equal(
        scheduleExpressionProblem("cron(0 2 * * * *)"),
        "expected ? in exactly one of day-of-month and day-of-week",
      );
      assert.equal(
        scheduleExpressionProblem("cron(0 2 ? * ? *)"),
        "expected ? in exactly one of day-of-month and day-of-week",
      );
      assert.equal(
        scheduleExpressionProblem("cron(0 2 * * ? $)"),
        "expected cron fields made of digits, names, * ? , / - L W #",
      );
    });
  });

  describe("reading Pulumi's config map", () => {
    it("warns about a key under a misspelt project name, which Pulumi would pass to no one", () => {
      const { project, warnings } = rawConfigFromPulumi({
        "aws:region": "eu-west-1",
        "awsx:something": "x",
        "rds-replicaton:role": "source",
        "rds_replication:transitKep": "3",
        "rds-replication:instances": '["a"]',
      });
      assert.deepEqual(project, { instances: ["a"] });
      assert.deepEqual(warnings, [
        'rds-replicaton:role is ignored: "rds-replicaton" is not this project\'s namespace; did you mean rds-replication:role?',
        'rds_replication:transitKep is ignored: "rds_replication" is not this project\'s namespace; did you mean rds-replication:transitKeep?',
      ]);
    });

    it("types values by their declared key type and keeps only the project's keys", () => {
      const { project, awsRegion } = rawConfigFromPulumi({
        "aws:region": "eu-west-1",
        "other:key": "x",
        "rds-replication:role": "source",
        "rds-replication:transitKeep": "3",
        "rds-replication:manualSnapshots": "false",
        "rds-replication:instances": '["a","b"]',
        "rds-replication:schedule": "rate(1 day)",
      });
      assert.equal(awsRegion, "eu-west-1");
      assert.deepEqual(project, {
        role: "source",
        transitKeep: 3,
        manualSnapshots: false,
        instances: ["a", "b"],
        schedule: "rate(1 day)",
      });
    });
  });

  describe("databases named by identifier", () => {
    // 63 characters, RDS's longest identifier: the worst case for the producer roles' policies.
    const ids = (n: number, kind: string) =>
      Array.from({ length: n }, (_, i) => `${kind}-${String(i).padStart(4, "0")}-`.padEnd(63, "x"));

    it("accepts up to 520 of the longest identifiers (about 10 managed policies on the snapshot role)", () => {
      const raw = { ...validSource(), instances: ids(260, "instance"), clusters: ids(260, "cluster") };
      assert.doesNotThrow(() => parseStackConfig(raw, SOURCE_HERE));
    });

    it("refuses more destination regions than the transit role's inline policy can grant keys in", () => {
      const regions = ["eu-central-1", "us-east-1", "us-west-2", "ap-southeast-1", "ap-northeast-1", "sa-east-1"];
      const destinations = regions.map((region, i) => `${222222222200 + i}/${region}`);
      assert.doesNotThrow(() =>
        parseStackConfig({ ...validSource(), destinations: destinations.slice(0, 5) }, SOURCE_HERE),
      );
      const [problem, ...others] = problemsOf({ ...validSource(), destinations });
      assert.deepEqual(others, []);
      assert.ok(problem?.startsWith("rds-replication:destinations"), problem);
      assert.ok(
        problem.endsWith(
          ": expected at most 5 destination regions besides eu-west-1, not 6: the transit step's role grants each region's transit key inline, and IAM limits a role's inline policies to 10,240 characters",
        ),
        problem,
      );
    });

    it("refuses more than IAM's 10 managed policies per role can list, and says what to do", () => {
      const raw = { ...validSource(), instances: ids(300, "instance"), clusters: ids(300, "cluster") };
      const [problem, ...others] = problemsOf(raw);
      assert.deepEqual(others, []);
      assert.ok(problem?.startsWith("rds-replication:instances"), problem);
      assert.ok(
        problem.endsWith(
          ": expected fewer databases named by identifier: these 600 need 12 managed policies of 6144 characters on one producer role, and IAM attaches at most 10; select the others by tag (selectorTags)",
        ),
        problem.slice(-300),
      );
    });
  });
});
