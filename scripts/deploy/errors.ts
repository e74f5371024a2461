/** Exit codes of `npm run deploy`; documented in docs/operations.md. */
export const EXIT = {
  ok: 0,
  failure: 1,
  drift: 2,
  usage: 3,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Bad command line or pairs file: the operator must fix the input, nothing was run. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** The Automation API drives the `pulumi` binary; without it nothing can run. */
export class PulumiCliMissingError extends Error {
  override name = "PulumiCliMissingError";
  constructor(detail: string) {
    super(
      [
        `The Pulumi CLI was not found (${detail}).`,
        "npm run deploy drives the `pulumi` command through the Pulumi Automation API, so it must be installed",
        "and on PATH. Install it as described in the Pulumi documentation (Get Started > Download & Install",
        "Pulumi: Homebrew, the install script, or a binary download), then check with `pulumi version`.",
      ].join("\n"),
    );
  }
}
