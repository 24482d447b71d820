// `npm run lint`: typescript-eslint's type-aware recommended rules for the server, migrations, tests, benchmarks and
// scripts, and eslint-plugin-vue's for the console; formatting is Prettier's (.prettierrc.json), checked by the same
// command. The rules turned off below are listed with the reason (docs/decisions.md, "Lint and format").
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import vue from 'eslint-plugin-vue';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'console/dist/**',
      'coverage/**',
      'node_modules/**',
      'console/node_modules/**',
      'console/src/api/schema.d.ts',
      '.data/**',
      'test-results/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  ...vue.configs['flat/recommended'],
  {
    languageOptions: {
      // The test configuration covers the server, migrations, tests and benchmarks; the console has its own.
      parserOptions: { project: ['./tsconfig.test.json', './console/tsconfig.json'], tsconfigRootDir: import.meta.dirname, extraFileExtensions: ['.vue'] },
      globals: { ...globals.node },
    },
    rules: {
      // Raw SQL answers (`manager.query`), JSON bodies in tests and BullMQ job data are `any` by their libraries' types;
      // the code types them where it reads them (interfaces at the query), and these rules would flag every such read.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      // Prettier wraps code at 160; this catches what it cannot wrap (comments, strings, SQL in template literals).
      'max-len': ['error', { code: 160, ignoreUrls: true }],
      // Best-effort cleanup (`try { fs.rmSync(…) } catch {}`) is the one place an empty block says what it means.
      'no-empty': ['error', { allowEmptyCatch: true }],
      // `_`-prefixed names are deliberately unused (a destructured field left out, a loop that only counts).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Plain JavaScript: the CommonJS scripts and configs, without type information.
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { sourceType: 'commonjs', parserOptions: { project: false, program: null, projectService: false }, globals: { ...globals.node } },
    rules: { ...tseslint.configs.disableTypeChecked.rules, '@typescript-eslint/no-require-imports': 'off' },
  },
  { files: ['**/*.mjs'], languageOptions: { sourceType: 'module' } },
  {
    // The console: browser code. Its .vue files are linted without type information (the TypeScript program cannot read
    // single-file components; vue-tsc type-checks them in the console's build).
    files: ['console/**/*.ts', 'console/**/*.vue'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['console/**/*.vue'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      parserOptions: { parser: tseslint.parser, project: false, program: null, projectService: false, extraFileExtensions: ['.vue'], sourceType: 'module' },
      globals: { ...globals.browser },
    },
  },
  prettier,
  {
    // eslint-config-prettier turns max-len off, so it is turned on again after it. Applied migrations are left as they
    // ran (their SQL is what the databases hold).
    files: ['**/*.{ts,js,mjs,vue}'],
    ignores: ['migrations/1795392[0-7]*'],
    rules: { 'max-len': ['error', { code: 160, ignoreUrls: true }] },
  },
);
