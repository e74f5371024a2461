// The component provider for programs in other languages: `pulumi package add <this repository>` reads
// PulumiPlugin.yaml, runs this entry, and generates a Python, Go, .NET or YAML SDK from the schema Pulumi
// infers from the TypeScript types of each component's constructor `args` (docs/components.md, "Other
// languages"). The inference reads this repository's tsconfig.json and TypeScript sources, so the provider
// runs from a checkout, not from the npm tarball.
import { componentProviderHost } from "@pulumi/pulumi/provider/experimental";
import { SnapshotConsumer, SnapshotProducer } from "../components";
import { PROJECT_ROOT } from "../components/lambda";

/** The package name of the generated SDKs and of the type tokens `rds-replication:index:<Component>`. */
export const PROVIDER_NAME = "rds-replication";
export const COMPONENTS = [SnapshotProducer, SnapshotConsumer];

export function serve(): Promise<void> {
  return componentProviderHost({ name: PROVIDER_NAME, dirname: PROJECT_ROOT, components: COMPONENTS });
}

if (require.main === module) void serve();
