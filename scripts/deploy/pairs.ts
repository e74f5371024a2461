import YAML from "yaml";
import { z } from "zod";
import { ConfigError } from "./errors";

// Unquoted, YAML reads 012345678901 as the number 12345678901: the id silently loses a digit.
const ACCOUNT_ID = /^\d{12}$/;
const accountId = z
  .string({ error: "must be a quoted string of 12 digits (unquoted, YAML reads it as a number)" })
  .regex(ACCOUNT_ID, "must be a 12-digit AWS account id");
const stackName = z
  .string()
  .regex(
    /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+){0,2}$/,
    "must be a Pulumi stack name ([org/[project/]]name of letters, digits, '_', '.', '-')",
  );
const region = z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, "must be an AWS region such as eu-west-1");
const roleArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/,
    "must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)",
  );

const stackSchema = z.strictObject({
  name: stackName,
  account: accountId,
  region,
  // The stacks this one reads through a StackReference: they are brought up before it.
  sources: z.array(stackName).default([]),
});

const pairsSchema = z
  .strictObject({
    // Keys are checked below: a record key failure would only say "Invalid key in record".
    accounts: z.record(z.string(), z.strictObject({ ciRole: roleArn })),
    stacks: z.array(stackSchema).min(1, "must list at least one stack"),
  })
  .superRefine((pairs, ctx) => {
    for (const [id, { ciRole }] of Object.entries(pairs.accounts)) {
      if (!ACCOUNT_ID.test(id)) {
        ctx.addIssue({
          code: "custom",
          path: ["accounts", id],
          message: "must be keyed by a quoted 12-digit AWS account id",
        });
      } else if (!ciRole.includes(`::${id}:`)) {
        ctx.addIssue({ code: "custom", path: ["accounts", id, "ciRole"], message: `must be a role in account ${id}` });
      }
    }
    const seen = new Set<string>();
    pairs.stacks.forEach((stack, i) => {
      if (seen.has(stack.name)) {
        ctx.addIssue({ code: "custom", path: ["stacks", i, "name"], message: "is listed twice" });
      }
      seen.add(stack.name);
      if (!(stack.account in pairs.accounts)) {
        ctx.addIssue({
          code: "custom",
          path: ["stacks", i, "account"],
          message: "is not listed under accounts (each account needs its CI role)",
        });
      }
    });
  });

export type Pairs = z.output<typeof pairsSchema>;
export type StackEntry = Pairs["stacks"][number];

/** Parses and validates a pairs file; every problem is reported with its key path and offending value. */
export function parsePairs(text: string, source: string): Pairs {
  let raw: unknown;
  try {
    raw = YAML.parse(text);
  } catch (err) {
    throw new ConfigError(`${source}: not valid YAML: ${(err as Error).message}`);
  }
  const result = pairsSchema.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.map(
    (issue) => `  ${formatPath(issue.path)}: ${issue.message}${shown(raw, issue.path)}`,
  );
  throw new ConfigError(`${source} is invalid:\n${lines.join("\n")}`);
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(top level)";
  return path.map((key, i) => (typeof key === "number" ? `[${key}]` : `${i === 0 ? "" : "."}${String(key)}`)).join("");
}

function shown(raw: unknown, path: readonly PropertyKey[]): string {
  let value: unknown = raw;
  for (const key of path) {
    if (value === null || typeof value !== "object") return "";
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value === undefined || (typeof value === "object" && value !== null) ? "" : ` (got ${JSON.stringify(value)})`;
}
