import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noVscode = {
  paths: [{ name: 'vscode', message: 'src/core, src/shared and webview/ must not import vscode (DESIGN.md: layers).' }],
  patterns: [
    { group: ['**/extension/**', '**/extension'], message: 'src/core must not import the VS Code adapter.' },
    { group: ['**/cli/**', '**/cli'], message: 'src/core must not import the CLI adapter.' },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/shared/**/*.ts', 'webview/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', noVscode] },
  },
);
