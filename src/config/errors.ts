/**
 * Configuration errors. Every problem found in one pass is collected and thrown together, so a user
 * fixing a fixture file or a command line sees the whole list at once instead of one typo per run
 * (docs/architecture.md §4.1).
 */
export class ConfigError extends Error {
  /** One entry per problem, each starting with the field path, flag or variable it is about. */
  readonly problems: string[];

  constructor(problems: string[], heading = 'Invalid kakao-mock configuration') {
    super(`${heading}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Thrown by `loadConfig` for `--help` / `-h`: not a failure, but the CLI must stop and print
 * `usage` (the same text as `USAGE`) instead of starting a server.
 */
export class HelpRequested extends Error {
  readonly usage: string;

  constructor(usage: string) {
    super(usage);
    this.name = 'HelpRequested';
    this.usage = usage;
  }
}
