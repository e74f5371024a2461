// The package entry: what a Pulumi program that installs rds-replication imports. The stack program of this
// repository (index.ts) is not part of it; the provider for other languages (provider/) serves these classes.

export { ANNOUNCEMENT_VERSION } from "../functions/contracts/announcement";
export type { RetentionPolicy } from "../functions/decisions/retentionPolicy";
export {
  CONSUMER_DEFAULTS,
  type RefreshArgs,
  type RestoreNetworkArgs,
  type Rpo,
  SnapshotConsumer,
  type SnapshotConsumerArgs,
} from "./consumer";
export {
  type Destination,
  PRODUCER_DEFAULTS,
  SnapshotProducer,
  type SnapshotProducerArgs,
} from "./producer";
export { REFRESH_DEFAULTS, type RefreshTarget } from "./refreshTargets";
export {
  type DestinationPlace,
  type SourceDatabases,
  type SourceOutputs,
  type SourceStackExports,
  sourceOutputsOf,
  sourceStackExports,
} from "./sourceOutputs";
export type { ComponentTransforms, SnapshotComponentOptions, Transform } from "./transforms";
export { ArgsError } from "./validation";
