import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A stray `.only` must fail CI, not narrow it silently.
    allowOnly: false,
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // One process per file: the virtual clock patches Date.now, and src/kauth/oidc-als.ts replaces
    // oidc-provider's module-wide als.run (docs/oidc-provider.md §10, §11); neither must leak across files.
    pool: 'forks',
  },
});
