// Loaded before every suite. aws-local-stepfunctions declares Node >= 22 and uses Promise.withResolvers,
// which Node 20 lacks; this is the standard polyfill, not a fake.
const withResolvers = <T>() => {
  let resolve!: (value: T | PromiseLike<T>) => void;
  let reject!: (reason?: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};
const promiseConstructor = Promise as unknown as { withResolvers?: typeof withResolvers };
if (!promiseConstructor.withResolvers) promiseConstructor.withResolvers = withResolvers;

// Tests must never reach real AWS: without an endpoint every SDK call would try the public one.
process.env.AWS_ACCESS_KEY_ID ??= "testing";
process.env.AWS_SECRET_ACCESS_KEY ??= "testing";
process.env.AWS_REGION ??= "eu-west-1";
process.env.AWS_EC2_METADATA_DISABLED = "true";
// The SDK warns once per process that Node 20 support ends in 2027; this machine's Node is known and pinned.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
