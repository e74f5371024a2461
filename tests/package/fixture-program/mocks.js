// Runs the compiled program (bin/index.js) under Pulumi mocks with this directory's own @pulumi/pulumi and
// prints what it registered as one JSON line: resources, the directories of every file archive by resource,
// the modules each serialized Lambda handler requires and where those of rds-replication resolve.
const pulumi = require("@pulumi/pulumi");

const resources = [];
const archives = [];
const requires = {};
const pending = [];

// Archive.isInstance holds for every kind of archive: a FileArchive has a path, an AssetArchive assets.
async function collect(resource, value) {
  if (!value || typeof value !== "object") return;
  if (pulumi.asset.Archive.isInstance(value) && "path" in value) archives.push({ resource, dir: await value.path });
  else if (pulumi.asset.Archive.isInstance(value) && "assets" in value) {
    const assets = await value.assets;
    if (assets["__index.js"]) {
      const text = await assets["__index.js"].text;
      requires[resource] = [...new Set([...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))].sort();
    }
    for (const v of Object.values(assets)) await collect(resource, v);
  } else if (!pulumi.asset.Asset.isInstance(value)) for (const v of Object.values(value)) await collect(resource, v);
}

// Each component's children live in its own account and region (the names carry the component's name).
const placeOf = (name) =>
  name.startsWith("dr")
    ? { account: "222222222222", region: "eu-west-1" }
    : { account: "111111111111", region: "eu-central-1" };
const arnOf = (type, name) => {
  const { account, region } = placeOf(name);
  const service = /^aws:([a-z0-9]+)\//.exec(type)?.[1] ?? "mock";
  if (service === "iam") return `arn:aws:iam::${account}:role/${name}`;
  if (service === "kms") return `arn:aws:kms:${region}:${account}:key/${name}`;
  return `arn:aws:${service}:${region}:${account}:${name}`;
};

pulumi.runtime.setMocks(
  {
    newResource(args) {
      pending.push(collect(args.name, args.inputs));
      resources.push({ type: args.type, name: args.name });
      if (args.type === "pulumi:pulumi:StackReference") {
        const outputs = {
          account: "333333333333",
          region: "us-east-1",
          announcementVersion: 1,
          announceTopicArn: "arn:aws:sns:us-east-1:333333333333:billing-announce",
          transitKeyArns: { "eu-west-1": "arn:aws:kms:eu-west-1:333333333333:key/transit" },
          destinations: [{ account: "222222222222", region: "eu-west-1" }],
          databases: { instances: ["billing-db"], clusters: [], byTags: false, perDestination: [] },
        };
        return { id: args.inputs.name, state: { name: args.inputs.name, outputs, secretOutputNames: [] } };
      }
      return { id: `${args.name}-id`, state: { ...args.inputs, arn: arnOf(args.type, args.name), name: args.name } };
    },
    call(args) {
      // The producer reads the KMS key of each configured database at deployment.
      if (args.token === "aws:rds/getInstance:getInstance")
        return {
          id: args.inputs.dbInstanceIdentifier,
          kmsKeyId: arnOf("aws:kms/key:Key", args.inputs.dbInstanceIdentifier),
        };
      throw new Error(`unexpected call ${args.token}`);
    },
  },
  "replication-fixture",
  "fixture",
  false,
);

(async () => {
  const program = require("./bin/index.js");
  const outputs = await new Promise((resolve) =>
    pulumi.output({ announceTopicArn: program.announceTopicArn, copyKeyArn: program.copyKeyArn }).apply(resolve),
  );
  await require("@pulumi/pulumi/runtime/settings").waitForRPCs();
  await Promise.all(pending);
  // Where this program's Node finds each module a handler requires from the package (as Lambda will, in the layer).
  const resolved = Object.fromEntries(
    [...new Set(Object.values(requires).flat())]
      .filter((m) => m.startsWith("rds-replication/"))
      .map((m) => [m, require.resolve(m)]),
  );
  process.stdout.write(`${JSON.stringify({ outputs, resources, archives, requires, resolved })}\n`);
})().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
