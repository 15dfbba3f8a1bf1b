import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A stray `.only` must fail CI (design.md §4.12).
    allowOnly: false,
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // oidc-provider patches nothing global, but our clock patches Date.now: isolate files.
    pool: 'forks',
  },
});
