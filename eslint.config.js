// ESLint with typescript-eslint's recommended rules; formatting is Prettier's job.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.torchlings/', 'test/fixtures/**/syntax-error/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', globalThis: 'readonly' } },
    rules: {
      // Function signatures mirror PyTorch's, which take `any`-typed extra arguments in places.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // The engine's autograd.Function is a class named like PyTorch's, shadowing the global.
      'no-shadow-restricted-names': 'off',
      '@typescript-eslint/no-unsafe-function-type': 'off',
    },
  },
  {
    // Tests assert on ANSI escapes and control characters, so their regexes name them.
    files: ['test/**/*.ts'],
    rules: { 'no-control-regex': 'off' },
  },
);
