import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

// The walls of docs/architecture.md §2, per folder of src/: a file there may not import these
// folders. The gate for walls and cycles is test/architecture/imports.test.ts (exact, from the
// TypeScript parser); these rules say it in the editor. Type-only imports count too.
const WALLS = {
  store: ['kauth', 'kapi', 'control', 'http'],
  kakao: ['kauth', 'kapi', 'control'],
  kapi: ['kauth'],
  kauth: ['kapi'],
};

// Control sees kauth and kapi through their index.ts faces only. Known crossings, per file (the
// same list as KNOWN_CROSSINGS in test/architecture/imports.test.ts):
// TODO(walls step: control uses kauth's and kapi's faces only): empty this list.
const CONTROL_DEBT = {
  'src/control/demo.ts': ['kauth/render'],
  'src/control/inspector.ts': ['kauth/render'],
  'src/control/service.ts': ['kauth/mint', 'kapi/unlink', 'kauth/interactions/login-queue'],
  'src/control/index.ts': ['kauth/interactions/login-queue'],
  'src/control/faults.ts': ['kapi/auth', 'kapi/http'],
  'src/control/journal.ts': ['kapi/http'],
};

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const restrict = (patterns) => ['error', { patterns }];
const wallRule = (folders) =>
  restrict([{ regex: `^(\\.\\./)+(${folders.join('|')})/`, message: 'Import across a wall (docs/architecture.md §2).' }]);
const controlRule = (allowed = []) =>
  restrict([
    {
      regex: `^(\\.\\./)+(?!(${['kauth/index', 'kapi/index', ...allowed].map(escape).join('|')})\\.js$)(kauth|kapi)/`,
      message: "Control uses kauth's and kapi's faces (their index.ts) only (docs/architecture.md §2).",
    },
  ]);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.kakao-mock/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-console': 'off',
    },
  },
  ...Object.entries(WALLS).map(([folder, not]) => ({
    files: [`src/${folder}/**/*.ts`],
    rules: { 'no-restricted-imports': wallRule(not) },
  })),
  { files: ['src/control/**/*.ts'], rules: { 'no-restricted-imports': controlRule() } },
  ...Object.entries(CONTROL_DEBT).map(([file, allowed]) => ({
    files: [file],
    rules: { 'no-restricted-imports': controlRule(allowed) },
  })),
  {
    // Scripts the pages load in the browser.
    files: ['public/**/*.js'],
    languageOptions: { globals: { ...globals.browser }, sourceType: 'script' },
  },
);
