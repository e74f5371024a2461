// The schema `pulumi package add` would generate SDKs for other languages from: the provider entry
// (provider/index.ts) analysed by Pulumi's own inference (@pulumi/pulumi/provider/experimental), in process.
// The inference stops at the first args member it cannot express; here every such member is recorded instead
// (the analyser's per-member step wrapped), so a refused member is named rather than hiding the rest.
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

  it("expresses every args member: the inference refuses none", () => {
    assert.deepEqual(Object.fromEntries(refused), {});
  });

  it("the producer's inputs: plain where they shape the resource graph, Input<> where they do not", () => {
    const producer = schema.resources["rds-replication:index:SnapshotProducer"];
    const inputs = producer.inputProperties;
    const strings = { type: "array", items: { type: "string", plain: true } };
    assert.deepEqual(typeOf(inputs.account), { type: "string", plain: true });
    assert.deepEqual(typeOf(inputs.region), { type: "string", plain: true });
    assert.deepEqual(typeOf(inputs.destinations), {
      type: "array",
      items: { ...ref("Destination"), plain: true },
      plain: true,
    });
    for (const name of ["instances", "clusters", "notificationEmails"])
      assert.deepEqual(typeOf(inputs[name]), { ...strings, optional: true, plain: true }, name);
    assert.deepEqual(typeOf(inputs.selectorTags), {
      type: "object",
      additionalProperties: { type: "string", plain: true },
      optional: true,
      plain: true,
    });
    assert.deepEqual(typeOf(inputs.automatedSnapshots), { type: "boolean", optional: true, plain: true });
    assert.deepEqual(typeOf(inputs.schedule), { type: "string", optional: true, plain: true });
    // Input<> members may be outputs of other resources in the consuming program: not plain.
    assert.deepEqual(typeOf(inputs.transitKeep), { type: "number", optional: true });
    assert.deepEqual(typeOf(inputs.transitDeletionsEnabled), { type: "boolean", optional: true });
    assert.deepEqual(typeOf(inputs.sourceKeyArns), { ...strings, optional: true });
    assert.deepEqual(typeOf(inputs.optionGroups), {
      type: "object",
      additionalProperties: { type: "object", additionalProperties: { type: "string" } },
      optional: true,
    });
    assert.deepEqual(typeOf(inputs.reservedConcurrency), { type: "number", optional: true, plain: true });
    assert.deepEqual(typeOf(inputs.namePrefix), { type: "string", optional: true, plain: true });
    assert.deepEqual(producer.requiredInputs, ["account", "destinations", "region"]);

    const destination = schema.types["rds-replication:index:Destination"];
    assert.deepEqual(typeOf(destination.properties.databases), { ...strings, optional: true });
    assert.deepEqual(destination.required, ["account", "region"]);
  });

  it("the producer's outputs, with the SourceOutputs contract a consumer takes", () => {
    const producer = schema.resources["rds-replication:index:SnapshotProducer"];
    assert.deepEqual(typeOf(producer.properties.announceTopicArn), { type: "string" });
    assert.deepEqual(typeOf(producer.properties.transitKeyArns), {
      type: "object",
      additionalProperties: { type: "string" },
    });
    assert.deepEqual(typeOf(producer.properties.sourceOutputs), ref("SourceOutputs"));
    assert.deepEqual(producer.required, [
      "announceTopicArn",
      "databaseStateMachineArn",
      "notifyTopicArn",
      "sourceOutputs",
      "stateMachineArn",
      "transitKeyArns",
    ]);
    const contract = schema.types["rds-replication:index:SourceOutputs"];
    assert.deepEqual(contract.required, [
      "account",
      "announceTopicArn",
      "announcementVersion",
      "databases",
      "destinations",
      "region",
      "transitKeyArns",
    ]);
    const databases = schema.types["rds-replication:index:SourceDatabases"];
    assert.deepEqual(typeOf(databases.properties.perDestination), {
      type: "array",
      items: { ...ref("DestinationDatabases"), plain: true },
      plain: true,
    });
    assert.deepEqual(typeOf(contract.properties.destinations), {
      type: "array",
      items: { ...ref("DestinationPlace"), plain: true },
      plain: true,
    });
  });

  it("the consumer's inputs and outputs, with its object types", () => {
    const consumer = schema.resources["rds-replication:index:SnapshotConsumer"];
    const inputs = consumer.inputProperties;
    // One subscription per source (plain keys), each source's outputs an Input (a stack reference's outputs).
    assert.deepEqual(typeOf(inputs.sources), {
      type: "object",
      additionalProperties: ref("SourceOutputs"),
      plain: true,
    });
    assert.deepEqual(typeOf(inputs.retention), { ...ref("RetentionPolicy"), optional: true });
    assert.deepEqual(typeOf(inputs.retentionTagKey), { type: "string", optional: true });
    assert.deepEqual(typeOf(inputs.deletionsEnabled), { type: "boolean", optional: true });
    assert.deepEqual(typeOf(inputs.maxDeletionsPerRun), { type: "number", optional: true });
    assert.deepEqual(typeOf(inputs.refresh), { ...ref("RefreshArgs"), optional: true, plain: true });
    assert.deepEqual(typeOf(inputs.rpo), { ...ref("Rpo"), optional: true, plain: true });
    assert.deepEqual(consumer.requiredInputs, ["account", "region", "sources"]);

    assert.deepEqual(typeOf(inputs.copiesPerDatabasePerDay), { type: "number", optional: true });
    assert.deepEqual(typeOf(inputs.manualSnapshotQuota), { type: "number", optional: true, plain: true });
    assert.deepEqual(consumer.required, [
      "intakeFunctionArn",
      "keyArn",
      "notifyTopicArn",
      "restoredInstances",
      "secretArns",
      "snapshotDeletionGuardPolicy",
      "stateMachineArn",
    ]);
    assert.deepEqual(typeOf(consumer.properties.secretArns), {
      type: "object",
      additionalProperties: { type: "string" },
    });

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
      optional: true,
      plain: true,
    });
    const refresh = schema.types["rds-replication:index:RefreshArgs"];
    assert.deepEqual(refresh.required, ["targets"]);
    assert.deepEqual(typeOf(refresh.properties.network), { ...ref("RestoreNetworkArgs"), optional: true, plain: true });
    assert.deepEqual(typeOf(refresh.properties.targets), {
      type: "array",
      items: { ...ref("RefreshTarget"), plain: true },
      plain: true,
    });
    const target = schema.types["rds-replication:index:RefreshTarget"];
    assert.deepEqual(target.required, ["database", "instanceClass", "instancePrefix", "kind", "secretName"]);
    assert.deepEqual(typeOf(target.properties.securityGroupIds), {
      type: "array",
      items: { type: "string", plain: true },
      optional: true,
      plain: true,
    });
    const network = schema.types["rds-replication:index:RestoreNetworkArgs"];
    assert.deepEqual(typeOf(network.properties.availabilityZones), {
      type: "array",
      items: { type: "string", plain: true },
      plain: true,
    });
    assert.deepEqual(network.required, ["availabilityZones", "cidrBlock"]);
  });
});
