// Reading IAM-style policy documents as they appear in resource inputs: a JSON string (what @pulumi/aws sends)
// or an object, with every element that AWS lets be a string or a list normalised to a list.

export interface Statement {
  Sid?: string;
  Effect?: string;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

export type Parsed = { ok: true; statements: Statement[] } | { ok: false; error: string };

export function parsePolicy(value: unknown): Parsed {
  let document: unknown = value;
  if (typeof value === "string") {
    try {
      document = JSON.parse(value);
    } catch {
      return { ok: false, error: "policy is not valid JSON" };
    }
  }
  if (typeof document !== "object" || document === null || !("Statement" in document)) {
    return { ok: false, error: "policy has no Statement" };
  }
  const statement = (document as { Statement: unknown }).Statement;
  return { ok: true, statements: (Array.isArray(statement) ? statement : [statement]) as Statement[] };
}

export function list(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

export const isAllow = (s: Statement) => s.Effect === "Allow";

export function describe(s: Statement, index: number): string {
  return s.Sid ? `statement "${s.Sid}"` : `statement #${index + 1}`;
}

/** Every principal string of a statement, whatever its kind (AWS, Service, Federated, or "*"). */
export function principalsOf(s: Statement): string[] {
  const p = s.Principal;
  if (p === undefined) return [];
  if (typeof p === "string") return [p];
  return Object.values(p as Record<string, unknown>).flatMap(list);
}

/** `*` or an ARN with a wildcard account: anybody on the internet, or any AWS account. */
export function isPublicPrincipal(principal: string): boolean {
  return principal === "*" || /^arn:aws[a-z-]*:iam::\*:/.test(principal);
}

export function hasCondition(s: Statement): boolean {
  return Object.values(s.Condition ?? {}).some((byKey) => Object.keys(byKey ?? {}).length > 0);
}

/** The 12-digit account of an IAM principal ARN or a bare account id; undefined for services and "*". */
export function accountOfPrincipal(principal: string): string | undefined {
  if (/^\d{12}$/.test(principal)) return principal;
  return /^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):/.exec(principal)?.[1];
}

/** Which kind of policy a document is: IAM reads each with its own grammar. */
export type Grammar = "trust" | "identity" | "resource";

// IAM User Guide, "IAM JSON policy elements: Principal" and "...: Resource": a trust policy names who may
// assume the role and no resource (CreateRole: "Has prohibited field Resource"); an identity policy names
// resources and no principal; a resource-based policy (key, topic, queue, function) names both.
const REQUIRED: Record<Grammar, { present: [string, string][]; absent: string[] }> = {
  trust: { present: [["Principal", "NotPrincipal"]], absent: ["Resource", "NotResource"] },
  identity: { present: [["Resource", "NotResource"]], absent: ["Principal", "NotPrincipal"] },
  resource: {
    present: [
      ["Principal", "NotPrincipal"],
      ["Resource", "NotResource"],
    ],
    absent: [],
  },
};

/** The fields a statement has or lacks against its policy's grammar. */
export function grammarErrors(grammar: Grammar, s: Statement): string[] {
  const rule = REQUIRED[grammar];
  const has = (field: string) => (s as Record<string, unknown>)[field] !== undefined;
  return [
    ...rule.absent.filter(has).map((field) => `has prohibited field ${field} for a ${grammar} policy`),
    ...rule.present
      .filter((pair) => !pair.some(has))
      .map(([field]) => `lacks ${field}, required in a ${grammar} policy`),
  ];
}
