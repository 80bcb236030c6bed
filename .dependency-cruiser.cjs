// Import cycles in src-main, src-shared and src-renderer, run by `npm run lint` after ESLint.
// dependency-cruiser, not import-x/no-cycle: that rule skips type-only imports, and a type cycle
// (a family importing the interface file that imports the family) is the kind #25 names.
// The service order is checked here too (service-order-*), on the same import graph, so no
// folder-level edge between services runs upward; eslint.config.mjs's LAYER_RULES also covers doors.
/** The services bottom up; the last group sits above export, side by side. */
const SERVICES_BOTTOM_UP = ['datasets', 'scoring', 'training', 'model-io', 'metrics', 'export']
const ABOVE_EXPORT = ['transfer', 'reproductions', 'sweeps', 'remote']

/** One rule per service: it never imports a service above it. */
function serviceOrder() {
  const order = `${SERVICES_BOTTOM_UP.join(' < ')} < ${ABOVE_EXPORT.join(', ')}`
  return SERVICES_BOTTOM_UP.map((name, i) => ({
    name: `service-order-${name}`,
    severity: 'error',
    comment: `Services bottom up: ${order}. src-main/${name} never imports a service above it: what two folders both need moves to the lower one (epoch scoring is src-main/scoring; tfjs model files and readFlat are src-main/util).`,
    from: { path: `^src-main/${name}/` },
    to: { path: `^src-main/(${[...SERVICES_BOTTOM_UP.slice(i + 1), ...ABOVE_EXPORT].join('|')})/` },
  }))
}

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
    ...serviceOrder(),
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
