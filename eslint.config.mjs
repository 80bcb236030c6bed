// Lint, and the layering rules (VS Code style): src-shared is pure TypeScript; src-main and
// src-renderer never import each other; only src-main/electron and the preload touch Electron;
// inside src-main, util < platform < services < doors, never upward (see LAYER_RULES).
import tseslint from 'typescript-eslint'
import pluginVue from 'eslint-plugin-vue'
// Layout is Prettier's job (`npm run format`, checked by `npm run lint`): this turns off the rules it owns.
import prettierOff from 'eslint-config-prettier'

const NODE_BUILTINS = [
  'fs',
  'path',
  'os',
  'child_process',
  'crypto',
  'http',
  'https',
  'net',
  'url',
  'module',
  'events',
  'worker_threads',
  'stream',
  'util',
  'readline',
]
const HOST_LIBS = ['electron', 'better-sqlite3', 'ws', 'commander', 'pngjs']
/** Exact module names (a pattern like `util` would also match a local `../util/x`). */
const restrictedPaths = (message) => [...NODE_BUILTINS, ...HOST_LIBS].map((name) => ({ name, message }))
const hostPatterns = ['node:*', '@tensorflow/*']

// src-main's own layers, bottom up: util (generic helpers) < platform (the data dir's layout, the
// version, the instance lock, process liveness, constant-time comparison) < services < doors.
// Among the services: datasets < scoring (the evaluation classifiers, image and point metrics on
// samples) < training < model-io (a run's networks as files and samples) < metrics < export <
// transfer, reproductions, sweeps, remote. No edge runs upward between these folders (training
// scores each epoch with scoring/, which metrics/ shares); .dependency-cruiser.cjs checks the same
// order. Cycles of files are npm run lint:cycles's job.
const SERVICES = [
  'training',
  'datasets',
  'scoring',
  'model-io',
  'metrics',
  'registry',
  'export',
  'remote',
  'transfer',
  'reproductions',
  'sweeps',
]
const DOORS = ['cli', 'server', 'ipc', 'electron', 'preload', 'app']
/** The services above export: they use runs, samples, metrics and exports; none of those uses them. */
const ABOVE_EXPORT = ['transfer', 'reproductions', 'sweeps', 'remote']
/** The services above model-io: they read runs through it, it never calls back into them. */
const ABOVE_MODEL_IO = ['metrics', 'export', ...ABOVE_EXPORT]
/** An import of one of these src-main folders from a sibling folder (`../app/paths`, `../../src-main/app/paths`). */
const folderRegex = (folders) => `^(\\.\\./)+(src-main/)?(${folders.join('|')})(/|$)`
const notRenderer = { group: ['**/src-renderer/**'], message: 'src-main never imports the renderer.' }
const noElectron = {
  name: 'electron',
  message: 'Only src-main/electron and the preload may import Electron: the services also run headless.',
}
const SERVICES_MESSAGE =
  'Layers: services never import the doors (cli, server, ipc, electron, preload, app). What a service needs from below lives in src-main/platform or src-main/util.'
/** Each file matches one entry only: a later block would replace an earlier one's options. */
const LAYER_RULES = [
  {
    name: 'services',
    files: SERVICES.filter((dir) => !['datasets', 'scoring', 'training', 'model-io', 'metrics', 'export'].includes(dir)).map(
      (dir) => `src-main/${dir}/**/*.ts`,
    ),
    forbidden: DOORS,
    message: SERVICES_MESSAGE,
  },
  {
    name: 'datasets',
    files: ['src-main/datasets/**/*.ts'],
    forbidden: [...DOORS, 'scoring', 'training', 'model-io', ...ABOVE_MODEL_IO],
    message:
      'Layers: src-main/datasets sits under scoring, training and every service that reads runs, and never imports a door; it imports only registry, platform, util and src-shared (mixSeed: src-shared/util/seeds).',
  },
  {
    name: 'scoring',
    files: ['src-main/scoring/**/*.ts'],
    forbidden: [...DOORS, 'training', 'model-io', ...ABOVE_MODEL_IO],
    message:
      'Layers: src-main/scoring (evaluation classifiers, image and point metrics on samples) sits under training and every service above it, and never imports a door; it reads datasets, util and src-shared only.',
  },
  {
    name: 'training',
    files: ['src-main/training/**/*.ts'],
    forbidden: [...DOORS, 'model-io', ...ABOVE_MODEL_IO],
    message:
      'Layers: src-main/training sits under model-io, metrics, export and the services above them, and never imports a door (epoch scoring: src-main/scoring; image grids: src-main/util/image-grid).',
  },
  {
    name: 'model-io',
    files: ['src-main/model-io/**/*.ts'],
    forbidden: [...DOORS, ...ABOVE_MODEL_IO],
    message:
      "Layers: src-main/model-io (tfjs model files, loading a run's networks, sampling) sits under metrics, export, transfer, reproductions, sweeps and remote, and never imports a door.",
  },
  {
    name: 'metrics',
    files: ['src-main/metrics/**/*.ts'],
    forbidden: [...DOORS, 'export', ...ABOVE_EXPORT],
    message:
      'Layers: src-main/metrics sits under export and the services above it (transfer, reproductions, sweeps, remote), and never imports a door; samples come from src-main/model-io.',
  },
  {
    name: 'export',
    files: ['src-main/export/**/*.ts'],
    forbidden: [...DOORS, ...ABOVE_EXPORT],
    message:
      "Layers: src-main/export sits under transfer, reproductions, sweeps and remote, and never imports a door; loading a run's networks (D's features too) is src-main/model-io's.",
  },
  {
    name: 'platform',
    files: ['src-main/platform/**/*.ts'],
    forbidden: [...SERVICES, ...DOORS],
    message:
      'Layers: src-main/platform sits under the services; it imports only src-main/util, src-shared and libraries, never a service or a door.',
  },
  {
    name: 'util',
    files: ['src-main/util/**/*.ts'],
    forbidden: [...SERVICES, ...DOORS, 'platform'],
    message: 'Layers: src-main/util is the bottom layer; it imports only src-shared and libraries, never platform, a service or a door.',
  },
]
/** The same rule for import() expressions, which no-restricted-imports does not see (`\x2f` is `/` inside an esquery regex). */
const dynamicImportSelector = (folders) => `ImportExpression[source.value=/^(\\.\\.\\x2f)+(src-main\\x2f)?(${folders.join('|')})(\\x2f|$)/]`

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
      'no-restricted-imports': [
        'error',
        {
          paths: restrictedPaths('src-shared is pure TypeScript: no Node, DOM or host libraries.'),
          patterns: [
            { group: hostPatterns, message: 'src-shared is pure TypeScript: no Node, DOM or host libraries.' },
            { group: ['**/src-main/**', '**/src-renderer/**'], message: 'src-shared depends on nothing else in the app.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'window', 'document', 'process', 'Buffer', '__dirname', 'require', 'localStorage', 'navigator'],
    },
  },
  {
    files: ['src-renderer/**/*.ts', 'src-renderer/**/*.vue'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: restrictedPaths('The renderer is a sandboxed web page: no Node or host libraries.'),
          patterns: [
            { group: ['**/src-main/**'], message: 'The renderer talks to src-main only through the contract (src-shared/contract).' },
            { group: hostPatterns, message: 'The renderer is a sandboxed web page: no Node or host libraries.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/electron/**', 'src-main/preload/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [notRenderer], paths: [noElectron] }],
    },
  },
  {
    files: ['src-main/electron/**/*.ts', 'src-main/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [notRenderer] }],
    },
  },
  // Later blocks replace the rule's options for their files, so each repeats the two above.
  ...LAYER_RULES.map(({ name, files, forbidden, message }) => ({
    name: `layers/${name}`,
    files,
    rules: {
      'no-restricted-imports': ['error', { patterns: [notRenderer, { regex: folderRegex(forbidden), message }], paths: [noElectron] }],
      'no-restricted-syntax': ['error', { selector: dynamicImportSelector(forbidden), message }],
    },
  })),
  prettierOff,
)
