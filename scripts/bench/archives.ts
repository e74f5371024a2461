// Figure 3: what each Lambda deploys. CallbackFunction's archive is the serialized closure as __index.js plus
// the code paths Pulumi computes (none: components/lambda.ts excludes every package.json dependency; the SDK
// comes with the runtime, zod and Powertools with one shared layer, reported separately).
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import * as pulumi from "@pulumi/pulumi";
import {
  dependencyNames,
  LAYER_ROOT_PACKAGES,
  layerPackageDirs,
  layerPackages,
  PROJECT_ROOT,
} from "../../components/lambda";
import { STEPS } from "../../functions/catalog";

// A zip entry costs a local header (30 bytes + name) and a central directory record (46 bytes + name); the
// archive ends with a 22-byte end record. Deflate is what zip uses, so deflate-raw size + these is the zip size
// (without extra fields, which Pulumi's archiver does not add beyond these).
export function zipSize(entries: { name: string; bytes: Buffer }[]): number {
  let size = 22;
  for (const { name, bytes } of entries) {
    const deflated = zlib.deflateRawSync(bytes, { level: 9 }).length;
    size += 30 + 46 + 2 * Buffer.byteLength(name) + Math.min(deflated, bytes.length);
  }
  return size;
}

/** `@aws-sdk` may appear only as `require("@aws-sdk/...")` (resolved from the runtime), never as code. */
export function bundledSdkMentions(text: string): number {
  const all = text.match(/@aws-sdk\//g)?.length ?? 0;
  const required = text.match(/require\("@aws-sdk\/[^"]+"\)/g)?.length ?? 0;
  return all - required;
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : entry.isFile() ? [full] : [];
  });
}

export async function archiveFigure() {
  const exclude = dependencyNames();
  const codePaths = [...(await pulumi.runtime.computeCodePaths({ extraExcludePackages: exclude })).keys()];
  const functions = [];
  for (const step of STEPS) {
    const started = process.hrtime.bigint();
    const serialized = await pulumi.runtime.serializeFunction(step.handler, {
      exportName: "handler",
      isFactoryFunction: false,
    });
    const serializeMs = Number(process.hrtime.bigint() - started) / 1e6;
    const entries = [
      { name: "__index.js", bytes: Buffer.from(serialized.text) },
      ...codePaths.flatMap((p) =>
        filesUnder(p).map((f) => ({ name: path.relative(PROJECT_ROOT, f), bytes: fs.readFileSync(f) })),
      ),
    ];
    functions.push({
      step: step.key,
      serializeMs,
      moduleBytes: entries.reduce((a, e) => a + e.bytes.length, 0),
      zipBytes: zipSize(entries),
      bundledSdk: bundledSdkMentions(serialized.text) + codePaths.filter((p) => p.includes("@aws-sdk")).length,
      requires: [...new Set(serialized.text.match(/require\("[^"]+"\)/g) ?? [])].map((r) => r.slice(9, -2)).sort(),
    });
  }
  const layerEntries = [...layerPackageDirs()].flatMap(([name, dir]) => {
    return filesUnder(dir).map((f) => ({
      name: `nodejs/node_modules/${name}/${path.relative(dir, f)}`,
      bytes: fs.readFileSync(f),
    }));
  });
  const layer = {
    roots: LAYER_ROOT_PACKAGES,
    packages: layerPackages(),
    files: layerEntries.length,
    unzippedBytes: layerEntries.reduce((a, e) => a + e.bytes.length, 0),
    zipBytes: zipSize(layerEntries),
    sdkPackages: layerPackages().filter((p) => p.startsWith("@aws-sdk/")),
  };
  return { codePaths, functions, layer };
}
