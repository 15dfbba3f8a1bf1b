/**
 * Where the store says what it did on its own, with nobody to answer to: a data file deleted or
 * replaced while running (warn), a background write that failed (error), a lock taken over (warn),
 * a token record dropped because its snapshot text does not parse (error). The server hands in its
 * logger (server.ts), so `logLevel: 'silent'` silences these too.
 */
export type StoreLog = (level: 'info' | 'warn' | 'error', message: string) => void;

/**
 * For a store created without a `log` (tools, tests that call createStore themselves): warnings and
 * errors to stderr, one line each, as a server at its default level would print them.
 */
export const stderrLog: StoreLog = (level, message) => {
  if (level !== 'info') process.stderr.write(`${message}\n`);
};

export const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));
