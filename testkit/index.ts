// The local runtime's stable entry: what the tests, `npm run demo` and `npm run bench` use to run the product
// without AWS (testkit/README.md). Import from here, not from the modules behind it, so they can move freely.
export * from "./accounts";
export * from "./emulator/lifecycle";
export * from "./eventBridge";
export * from "./fixtures";
export * from "./proxy";
export * from "./pulumiMocks";
export * from "./rdsEvents";
export * from "./serialized";
export * from "./stepfunctions";
export * from "./world";
