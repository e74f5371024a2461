// The schema `pulumi package add` would generate SDKs for other languages from: the provider entry
// (provider/index.ts) analysed by Pulumi's own inference (@pulumi/pulumi/provider/experimental), in process.
// The inference stops at the first args member it cannot express; here every such member is recorded instead
// (the analyser's per-member step wrapped), so the test names all of them and checks the rest of the schema.
import { strict as assert } from "node:assert";
import { Analyzer } from "@pulumi/pulumi/provider/experimental/analyzer";
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental/provider";
import { PROJECT_ROOT } from "../../components/lambda";
import { COMPONENTS, PROVIDER_NAME } from "../../provider";

interface Property {
  type?: string;
  $ref?: string;
  items?: Property;
  additionalProperties?: Property;
  optional?: boolean;
  plain?: boolean;
}
interface Resource {
  isComponent: boolean;
  inputProperties: Record<string, Property>;
  requiredInputs: string[];
  properties: Record<string, Property>;
  required: string[];
}
interface Schema {
  name: string;
  resources: Record<string, Resource>;
  types: Record<string, { properties: Record<string, Property>; required: string[] }>;
}

const UNSUPPORTED = "#/unsupported";
type AnalyzeSymbol = (context: { typeName?: string; property: string }, symbol: unknown) => Property;

/** The provider's schema, with each member the inference refuses replaced by UNSUPPORTED and its error kept. */
async function inferSchema(): Promise<{ schema: Schema; refused: Map<string, string> }> {
  const refused = new Map<string, string>();
  const prototype = Analyzer.prototype as unknown as { analyzeSymbol: AnalyzeSymbol };
  const analyzeSymbol = prototype.analyzeSymbol;
  prototype.analyzeSymbol = function (this: unknown, context, symbol) {
    try {
      return analyzeSymbol.call(this, context, symbol);
    } catch (error) {
      const type = /: type '(.*)'$/.exec((error as Error).message)?.[1] ?? (error as Error).message;
      refused.set(`${context.typeName}.${context.property}`, type);
      return { $ref: UNSUPPORTED };
    }
  };
  try {
    const provider = new ComponentProvider({ name: PROVIDER_NAME, dirname: PROJECT_ROOT, components: COMPONENTS });
    return { schema: JSON.parse(await provider.getSchema()) as Schema, refused };
  } finally {
    prototype.analyzeSymbol = analyzeSymbol;
  }
}

const ref = (type: string) => ({ $ref: `#/types/${PROVIDER_NAME}:index:${type}` });
/** The member's schema without its description: what an SDK generator types it as. */
function typeOf(property: Property | undefined): Omit<Property, "description"> | undefined {
  if (!property) return undefined;
  const { description: _, ...type } = property as Property & { description?: string };
  return type;
}

describe("schema inference for other languages (componentProviderHost)", function () {
  this.timeout(300_000);
  let schema: Schema;
  let refused: Map<string, string>;
  before(async () => ({ schema, refused } = await inferSchema()));

  it("lists both components as component resources of the rds-replication package", () => {
    assert.equal(schema.name, "rds-replication");
    assert.deepEqual(Object.keys(schema.resources).sort(), [
      "rds-replication:index:SnapshotConsumer",
      "rds-replication:index:SnapshotProducer",
    ]);
    for (const resource of Object.values(schema.resources)) assert.equal(resource.isComponent, true);
  });

  it("names every args member the inference cannot express (the redesign's to-do list)", () => {
    assert.deepEqual(Object.fromEntries([...refused].sort()), {
      "RestoreConfig.network": "{ readonly cidrBlock: string; readonly availabilityZones: readonly string[]; }",
      "RestoreConfig.securityGroupIds": "readonly string[]",
      "SnapshotConsumerArgs.notificationEmails": "readonly string[]",
      "SnapshotConsumerArgs.sources": "readonly string[]",
      "SnapshotProducerArgs.clusters": "readonly string[]",
      "SnapshotProducerArgs.destinations": "readonly Destination[]",
      "SnapshotProducerArgs.instances": "readonly string[]",
      "SnapshotProducerArgs.notificationEmails": "readonly string[]",
      "SnapshotProducerArgs.sourceKeyArns": "readonly string[]",
    });
  });

  it("the producer's inputs and outputs have the types an SDK needs", () => {
    const producer = schema.resources["rds-replication:index:SnapshotProducer"];
    const inputs = producer.inputProperties;
    assert.deepEqual(typeOf(inputs.account), { type: "string", plain: true });
    assert.deepEqual(typeOf(inputs.region), { type: "string", plain: true });
    assert.deepEqual(typeOf(inputs.selectorTags), {
      type: "object",
      additionalProperties: { type: "string", plain: true },
      plain: true,
    });
    assert.deepEqual(typeOf(inputs.automatedSnapshots), { type: "boolean", plain: true });
    assert.deepEqual(typeOf(inputs.schedule), { type: "string", optional: true, plain: true });
    // Input<> members may be outputs of other resources in the consuming program: not plain.
    assert.deepEqual(typeOf(inputs.transitKeep), { type: "number" });
    assert.deepEqual(typeOf(inputs.transitDeletionsEnabled), { type: "boolean" });
    assert.deepEqual(typeOf(inputs.reservedConcurrency), { type: "number", optional: true, plain: true });
    assert.ok(!producer.requiredInputs.includes("schedule"));
    assert.ok(producer.requiredInputs.includes("account"));

    assert.deepEqual(typeOf(producer.properties.announceTopicArn), { type: "string" });
    assert.deepEqual(typeOf(producer.properties.transitKeyArns), {
      type: "object",
      additionalProperties: { type: "string" },
    });
    assert.deepEqual(producer.required, [
      "announceTopicArn",
      "databaseStateMachineArn",
      "notifyTopicArn",
      "stateMachineArn",
      "transitKeyArns",
    ]);
  });

  it("the consumer's inputs and outputs, with its object types", () => {
    const consumer = schema.resources["rds-replication:index:SnapshotConsumer"];
    const inputs = consumer.inputProperties;
    assert.deepEqual(typeOf(inputs.retention), ref("RetentionPolicy"));
    assert.deepEqual(typeOf(inputs.retentionTagKey), { type: "string" });
    assert.deepEqual(typeOf(inputs.deletionsEnabled), { type: "boolean" });
    assert.deepEqual(typeOf(inputs.maxDeletionsPerRun), { type: "number" });
    assert.deepEqual(typeOf(inputs.restore), { ...ref("RestoreConfig"), optional: true, plain: true });
    assert.deepEqual(typeOf(inputs.existingSecretArn), { type: "string", optional: true, plain: true });
    assert.deepEqual(typeOf(inputs.rpo), { ...ref("Rpo"), plain: true });

    assert.deepEqual(consumer.required, ["intakeFunctionArn", "keyArn", "notifyTopicArn", "stateMachineArn"]);
    assert.deepEqual(typeOf(consumer.properties.secretArn), { type: "string", optional: true });

    const retention = schema.types["rds-replication:index:RetentionPolicy"];
    assert.deepEqual(Object.keys(retention.properties).sort(), [
      "daily",
      "keepLast",
      "maxAgeDays",
      "monthly",
      "weekly",
      "yearly",
    ]);
    assert.deepEqual(retention.required, []);
    const rpo = schema.types["rds-replication:index:Rpo"];
    assert.deepEqual(typeOf(rpo.properties.overrides), {
      type: "object",
      additionalProperties: { type: "number", plain: true },
      plain: true,
    });
    const restore = schema.types["rds-replication:index:RestoreConfig"];
    const known = restore.required.filter((name) => !refused.has(`RestoreConfig.${name}`));
    assert.deepEqual(known, ["instanceClass", "instancePrefix", "keepInstances", "secretName"]);
  });
});
