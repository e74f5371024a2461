// The demo's command line: `npm run demo -- [--wide] [--report PATH]`. Pure, so tests check it directly.

export interface DemoArgs {
  wide: boolean;
  reportPath?: string;
}

export const DEMO_USAGE = "usage: npm run demo -- [--wide] [--report PATH]";

/** The parsed flags, or an error naming what was not understood. */
export function parseDemoArgs(argv: readonly string[]): DemoArgs {
  const args: DemoArgs = { wide: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--wide") args.wide = true;
    else if (arg === "--report" || arg.startsWith("--report=")) {
      const value = arg === "--report" ? argv[++i] : arg.slice("--report=".length);
      if (!value || value.startsWith("--")) throw new Error(`--report needs a file path\n${DEMO_USAGE}`);
      args.reportPath = value;
    } else throw new Error(`unknown argument "${arg}"\n${DEMO_USAGE}`);
  }
  return args;
}
