// The AWS-rules harness's entry: botocore's API models, the requests behind each emitted resource, and the
// documented limits the models do not carry (docs/aws-limits.md).
export * from "./apiModels";
export * from "./apiRequests";
export * from "./awsLimits";
