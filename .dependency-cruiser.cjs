// Import cycles in src-main, src-shared and src-renderer, run by `npm run lint` after ESLint.
// dependency-cruiser, not import-x/no-cycle: that rule skips type-only imports, and a type cycle
// (a family importing the interface file that imports the family) is the kind #25 names.
// The layer rules (which folder may import which) stay in eslint.config.mjs.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'Import cycle (type-only imports count). Move what both sides need to a file below them: the interface to a types file (datasets/data-source.ts, training/gan-model.ts), shared helpers to their own module (training/optimizers.ts).',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Cruise the TypeScript source itself, so `import type` and type-only specifiers count.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.vue', '.js', '.mjs', '.json'] },
    cache: false,
  },
}
