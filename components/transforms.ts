// SST-style transform hooks: a program adjusts the args of a component's main children before they are
// created (tags, memory, a log level...) without forking the component. A TypeScript-only option: functions
// cannot cross to other languages, so the hooks live in the constructor's options, not in its args (whose
// schema other languages get).
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

/** Receives a child's args and logical name; returns new args or changes them in place. */
// biome-ignore lint/suspicious/noConfusingVoidType: a hook that changes the args in place returns nothing
export type Transform<T> = (args: T, name: string) => T | void;

/** Hooks for the main children of SnapshotProducer and SnapshotConsumer. */
export interface ComponentTransforms {
  /** Every step Lambda. @example (args) => ({ ...args, memorySize: 512 }) */
  readonly function?: Transform<aws.lambda.FunctionArgs>;
  /** Every state machine. @example (args) => { args.tags = { team: "dba" }; } */
  readonly stateMachine?: Transform<aws.sfn.StateMachineArgs>;
  /** Every KMS key (transit, copy and operations keys). @example (args) => ({ ...args, deletionWindowInDays: 7 }) */
  readonly key?: Transform<aws.kms.KeyArgs>;
  /** Every SNS topic (announcements and notifications). @example (args) => ({ ...args, tags: { team: "dba" } }) */
  readonly topic?: Transform<aws.sns.TopicArgs>;
}

/** The options of both components: Pulumi's, plus `transform`. */
export interface SnapshotComponentOptions extends pulumi.ComponentResourceOptions {
  /** Hooks applied to each main child's args before it is created; none by default. */
  readonly transform?: ComponentTransforms;
}

const CHILD_TYPES: Readonly<Record<keyof ComponentTransforms, string>> = {
  function: "aws:lambda/function:Function",
  stateMachine: "aws:sfn/stateMachine:StateMachine",
  key: "aws:kms/key:Key",
  topic: "aws:sns/topic:Topic",
};

/**
 * The component's options with the hooks as a Pulumi transformation, which Pulumi applies to every
 * descendant of the component (SDK-side, so under any engine and under mocks alike).
 */
export function withTransforms(opts: SnapshotComponentOptions | undefined): pulumi.ComponentResourceOptions {
  const { transform, ...rest } = opts ?? {};
  if (!transform) return rest;
  const hook: pulumi.ResourceTransformation = ({ type, name, props, opts: childOpts }) => {
    const kind = (Object.keys(CHILD_TYPES) as (keyof ComponentTransforms)[]).find((k) => CHILD_TYPES[k] === type);
    const apply = kind && (transform[kind] as Transform<pulumi.Inputs> | undefined);
    if (!apply) return undefined;
    return { props: apply(props, name) ?? props, opts: childOpts };
  };
  return { ...rest, transformations: [...(rest.transformations ?? []), hook] };
}
