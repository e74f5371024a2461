// The artifact Lambda runs: Pulumi serializes a handler closure into a module. Tests write that module
// under .cache/serialized/ (inside the project, so `require` resolves node_modules), load it and call it.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";

const ROOT = path.resolve(__dirname, "..");
const OUT = path.join(ROOT, ".cache", "serialized");

export interface SerializedHandler {
  /** The module text Lambda would run. */
  text: string;
  file: string;
  // biome-ignore lint/suspicious/noExplicitAny: handlers take their own event types
  handler: (event: any) => Promise<any>;
}

const cache = new Map<unknown, Promise<SerializedHandler>>();

async function serialize(fn: (...args: never[]) => unknown): Promise<SerializedHandler> {
  const result = await pulumi.runtime.serializeFunction(fn, { exportName: "handler", isFactoryFunction: false });
  const text = result.text;
  const hash = crypto.createHash("sha256").update(text).digest("hex").slice(0, 16);
  fs.mkdirSync(OUT, { recursive: true });
  const file = path.join(OUT, `${fn.name || "handler"}-${hash}.js`);
  // Written under a temporary name and renamed: parallel mocha workers may serialize the same handler at once,
  // and one must never load the other's half-written file.
  if (!fs.existsSync(file)) {
    const partial = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(partial, text);
    fs.renameSync(partial, file);
  }
  const loaded = require(file) as { handler: SerializedHandler["handler"] };
  return { text, file, handler: loaded.handler };
}

/** Serializes once per handler per test run. */
export function serialized(fn: (...args: never[]) => unknown): Promise<SerializedHandler> {
  let found = cache.get(fn);
  if (!found) {
    found = serialize(fn);
    cache.set(fn, found);
  }
  return found;
}
