// Lint, and the layering rules (VS Code style): src-shared is pure TypeScript; src-main and
// src-renderer never import each other; only src-main/electron and the preload touch Electron.
import tseslint from 'typescript-eslint'
import pluginVue from 'eslint-plugin-vue'

const NODE_BUILTINS = ['fs', 'path', 'os', 'child_process', 'crypto', 'http', 'https', 'net', 'url', 'module', 'events', 'worker_threads', 'stream', 'util', 'readline']
const HOST_LIBS = ['electron', 'better-sqlite3', 'ws', 'commander', 'pngjs']
/** Exact module names (a pattern like `util` would also match a local `../util/x`). */
const restrictedPaths = (message) => [...NODE_BUILTINS, ...HOST_LIBS].map((name) => ({ name, message }))
const hostPatterns = ['node:*', '@tensorflow/*']

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'dist/**', 'tests/output/**', '.cache/**'] },
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/html-closing-bracket-newline': 'off',
      'vue/first-attribute-linebreak': 'off',
    },
  },
  {
    files: ['src-shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: restrictedPaths('src-shared is pure TypeScript: no Node, DOM or host libraries.'),
        patterns: [
          { group: hostPatterns, message: 'src-shared is pure TypeScript: no Node, DOM or host libraries.' },
          { group: ['**/src-main/**', '**/src-renderer/**'], message: 'src-shared depends on nothing else in the app.' },
        ],
      }],
      'no-restricted-globals': ['error', 'window', 'document', 'process', 'Buffer', '__dirname', 'require', 'localStorage', 'navigator'],
    },
  },
  {
    files: ['src-renderer/**/*.ts', 'src-renderer/**/*.vue'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: restrictedPaths('The renderer is a sandboxed web page: no Node or host libraries.'),
        patterns: [
          { group: ['**/src-main/**'], message: 'The renderer talks to src-main only through the contract (src-shared/contract).' },
          { group: hostPatterns, message: 'The renderer is a sandboxed web page: no Node or host libraries.' },
        ],
      }],
    },
  },
  {
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/electron/**', 'src-main/preload/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/src-renderer/**'], message: 'src-main never imports the renderer.' },
        ],
        paths: [{ name: 'electron', message: 'Only src-main/electron and the preload may import Electron: the services also run headless.' }],
      }],
    },
  },
  {
    files: ['src-main/electron/**/*.ts', 'src-main/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/src-renderer/**'], message: 'src-main never imports the renderer.' }] }],
    },
  },
)
