// The value rules the components hold their args to, and the stack-config parser its keys: one definition of
// each (an account id, a region, an RDS identifier, a tag key, a schedule...), so a program that uses the
// package directly gets the same errors as this repository's stack program.
import { Region } from "@pulumi/aws/types/enums";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { isOwnTagKey, MAX_TAGS, OWN_TAG_COUNT } from "../functions/decisions/tags";

export const KNOWN_REGIONS: ReadonlySet<string> = new Set(Object.values(Region));

export const ACCOUNT_ID = /^\d{12}$/;
export const accountId = z
  .string({ error: "expected a 12-digit AWS account id" })
  .regex(ACCOUNT_ID, "expected a 12-digit AWS account id");

export const region = z
  .string({ error: "expected an AWS region such as eu-west-1" })
  .refine((r) => KNOWN_REGIONS.has(r), "expected a known AWS region such as eu-west-1");

export const wholeNumber = (min: number) => {
  const expected = min === 0 ? "expected a non-negative whole number" : `expected a whole number >= ${min}`;
  return z.number({ error: expected }).int(expected).min(min, expected);
};

// RDS DB identifiers: a letter first, letters, digits and single hyphens, no trailing hyphen, at most 63.
export const DB_IDENTIFIER = /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{0,62}(?<!-)$/;
export const dbIdentifier = (maxLength = 63) =>
  z
    .string({ error: "expected an RDS identifier" })
    .regex(DB_IDENTIFIER, "expected an RDS identifier: a letter, then letters, digits or single hyphens")
    .max(maxLength, `expected an RDS identifier of at most ${maxLength} characters`);

// `aws:` is reserved by AWS and rejected when snapshots are copied with their tags.
export const tagKey = z
  .string({ error: "expected a tag key" })
  .min(1, "expected a non-empty tag key")
  .max(128, "expected a tag key of at most 128 characters")
  .refine((k) => !k.toLowerCase().startsWith("aws:"), "expected a tag key that does not start with aws: (reserved)");

/** A tag added to every copy of a dest account: the tool's own keys stay its own. */
export const copyTagKey = tagKey.refine(
  (key) => !isOwnTagKey(key),
  "expected a key that is not one of the tool's own (managed-by, rds-replication:...)",
);
/** The most `copyTags`: a snapshot has at most 50 tags and the tool writes some of its own. */
export const MAX_COPY_TAGS = MAX_TAGS - OWN_TAG_COUNT;
export const TOO_MANY_COPY_TAGS = `expected at most ${MAX_COPY_TAGS} tags: a snapshot has at most ${MAX_TAGS} and the tool writes up to ${OWN_TAG_COUNT} of its own`;

export const email = z.email("expected an email address");

export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];
export const logRetentionDays = z
  .number({ error: "expected a CloudWatch Logs retention in days" })
  .refine(
    (d) => LOG_RETENTION_DAYS.includes(d),
    "expected a CloudWatch Logs retention (1, 3, 5, 7, 14, 30, 60, 90, ...)",
  );

/** The lag alarms evaluate hourly periods, and CloudWatch evaluates at most 7 days. */
export const MAX_RPO_HOURS = 168;
export const rpoHours = z
  .number({ error: `expected a whole number of hours from 1 to ${MAX_RPO_HOURS}` })
  .int(`expected a whole number of hours from 1 to ${MAX_RPO_HOURS}`)
  .min(1, `expected a whole number of hours from 1 to ${MAX_RPO_HOURS}`)
  .max(MAX_RPO_HOURS, `expected at most ${MAX_RPO_HOURS} hours (CloudWatch evaluates alarms over at most 7 days)`);

// The KMS keys of source databases the program cannot discover (those selected by tags).
export const kmsKeyArn = z
  .string({ error: "expected a KMS key ARN" })
  .regex(
    /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[a-zA-Z0-9-]+$/,
    "expected a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)",
  );

export const AVAILABILITY_ZONE = /^[a-z]{2}(-[a-z]+)+-\d[a-z]$/;
export const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON_FIELD = /^[0-9A-Za-z*?,/#LW-]+$/;

/** Why an EventBridge schedule expression is invalid, or undefined when it is valid. */
export function scheduleExpressionProblem(expression: string): string | undefined {
  const rate = RATE.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    if (value < 1) return "expected a rate value of at least 1";
    const singular = !rate[2]!.endsWith("s");
    if (singular !== (value === 1)) return `expected "${rate[2]}" ${value === 1 ? "in singular" : "in plural"} form`;
    return undefined;
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (!cron) return "expected rate(<n> <minutes|hours|days>) or cron(<6 fields>)";
  const fields = cron[1]!.trim().split(/\s+/);
  if (fields.length !== 6)
    return `expected 6 cron fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`;
  if (!fields.every((f) => CRON_FIELD.test(f))) return "expected cron fields made of digits, names, * ? , / - L W #";
  const [, , dayOfMonth, , dayOfWeek] = fields;
  if ((dayOfMonth === "?") === (dayOfWeek === "?")) return "expected ? in exactly one of day-of-month and day-of-week";
  return undefined;
}

/** Every problem of a component's args, one line each, naming the arg. */
export class ArgsError extends Error {
  constructor(
    component: string,
    name: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid ${component} args of ${name}:\n  - ${problems.join("\n  - ")}`);
    this.name = "ArgsError";
  }
}

/** Collects the problems of args member by member: `at("destinations[0].account", accountId, value)`. */
export class Problems {
  readonly list: string[] = [];

  /** Checks a value with a rule; an undefined value is a default, not a problem. */
  at(path: string, rule: z.ZodType, value: unknown): void {
    if (value === undefined) return;
    const checked = rule.safeParse(value);
    if (!checked.success)
      for (const issue of checked.error.issues) this.add(path, `= ${JSON.stringify(value)}: ${issue.message}`);
  }

  /** Checks every item of a list member: `each("instances", dbIdentifier(), ["a", "b"])`. */
  each(path: string, rule: z.ZodType, values: readonly unknown[] | undefined): void {
    for (const [i, value] of (values ?? []).entries()) this.at(`${path}[${i}]`, rule, value);
  }

  /** A member without a default: missing is a problem. */
  required(path: string, rule: z.ZodType, value: unknown): void {
    if (value === undefined || value === null) this.add(path, "is missing");
    else this.at(path, rule, value);
  }

  add(path: string, message: string): void {
    this.list.push(`${path} ${message}`);
  }

  /** Throws one ArgsError listing every problem, if any. */
  throwIfAny(component: string, name: string): void {
    if (this.list.length > 0) throw new ArgsError(component, name, this.list);
  }
}

const isPlain = (value: unknown) => !pulumi.Output.isInstance(value) && !(value instanceof Promise);

/**
 * Checks the `Input<>` members of a component's args: the plain ones now (returned, to be reported with the
 * other problems before any child exists), the outputs once they resolve (an ArgsError fails the deployment).
 * The returned output carries every member, checked.
 */
export function checkInputs<T extends object>(
  component: string,
  name: string,
  inputs: { [K in keyof T]?: pulumi.Input<T[K]> },
  problemsOf: (values: Partial<T>) => string[],
): { problems: string[]; checked: pulumi.Output<Partial<T>> } {
  const entries = Object.entries(inputs) as [keyof T, unknown][];
  const plain = Object.fromEntries(entries.filter(([, v]) => isPlain(v))) as Partial<T>;
  const later = Object.fromEntries(entries.filter(([, v]) => !isPlain(v)));
  const checked = pulumi.output(inputs as pulumi.Input<object>).apply((values) => {
    const problems = problemsOf(
      Object.fromEntries(Object.keys(later).map((k) => [k, (values as Record<string, unknown>)[k]])) as Partial<T>,
    );
    if (problems.length > 0) throw new ArgsError(component, name, problems);
    return values as Partial<T>;
  });
  return { problems: problemsOf(plain), checked };
}
