// Import cycles in src-main, src-shared and src-renderer, run by `npm run lint` after ESLint.
// dependency-cruiser, not import-x/no-cycle: that rule skips type-only imports, and a type cycle
// (a family importing the interface file that imports the family) is the kind #25 names.
// The service order is checked here too (service-order-*), on the same import graph, so no
// folder-level edge between services runs upward; eslint.config.mjs's LAYER_RULES also covers doors.
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
    {
      name: 'service-order-datasets',
      severity: 'error',
      comment:
        'Services bottom up: datasets < scoring < training < model-io < metrics < export < transfer, reproductions, sweeps, remote. src-main/datasets never imports a service above it: what two folders both need moves to the lower one (epoch scoring is src-main/scoring; tfjs model files and readFlat are src-main/util).',
      from: { path: '^src-main/datasets/' },
      to: { path: '^src-main/(scoring|training|model-io|metrics|export|transfer|reproductions|sweeps|remote)/' },
    },
    {
      name: 'service-order-scoring',
      severity: 'error',
      comment:
        'Services bottom up: datasets < scoring < training < model-io < metrics < export < transfer, reproductions, sweeps, remote. src-main/scoring never imports a service above it: what two folders both need moves to the lower one (epoch scoring is src-main/scoring; tfjs model files and readFlat are src-main/util).',
      from: { path: '^src-main/scoring/' },
      to: { path: '^src-main/(training|model-io|metrics|export|transfer|reproductions|sweeps|remote)/' },
    },
    {
      name: 'service-order-training',
      severity: 'error',
      comment:
        'Services bottom up: datasets < scoring < training < model-io < metrics < export < transfer, reproductions, sweeps, remote. src-main/training never imports a service above it: what two folders both need moves to the lower one (epoch scoring is src-main/scoring; tfjs model files and readFlat are src-main/util).',
      from: { path: '^src-main/training/' },
      to: { path: '^src-main/(model-io|metrics|export|transfer|reproductions|sweeps|remote)/' },
    },
    {
      name: 'service-order-model-io',
      severity: 'error',
      comment:
        'Services bottom up: datasets < scoring < training < model-io < metrics < export < transfer, reproductions, sweeps, remote. src-main/model-io never imports a service above it: what two folders both need moves to the lower one (epoch scoring is src-main/scoring; tfjs model files and readFlat are src-main/util).',
      from: { path: '^src-main/model-io/' },
      to: { path: '^src-main/(metrics|export|transfer|reproductions|sweeps|remote)/' },
    },
    {
      name: 'service-order-metrics',
      severity: 'error',
      comment:
        'Services bottom up: datasets < scoring < training < model-io < metrics < export < transfer, reproductions, sweeps, remote. src-main/metrics never imports a service above it: what two folders both need moves to the lower one (epoch scoring is src-main/scoring; tfjs model files and readFlat are src-main/util).',
      from: { path: '^src-main/metrics/' },
      to: { path: '^src-main/(export|transfer|reproductions|sweeps|remote)/' },
    },
    {
      name: 'service-order-export',
      severity: 'error',
      comment:
        'Services bottom up: datasets < scoring < training < model-io < metrics < export < transfer, reproductions, sweeps, remote. src-main/export never imports a service above it: what two folders both need moves to the lower one (epoch scoring is src-main/scoring; tfjs model files and readFlat are src-main/util).',
      from: { path: '^src-main/export/' },
      to: { path: '^src-main/(transfer|reproductions|sweeps|remote)/' },
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
