// The package entry: what a Pulumi program that installs rds-replication imports. The stack program of this
// repository (index.ts) is not part of it; the provider for other languages (provider/) serves these classes.

export type { RetentionPolicy } from "../functions/retention";
export type { Destination, RestoreConfig, Rpo } from "./config";
export { SnapshotConsumer, type SnapshotConsumerArgs, type SourceOutputs } from "./consumer";
export { ANNOUNCEMENT_VERSION, SnapshotProducer, type SnapshotProducerArgs } from "./producer";
