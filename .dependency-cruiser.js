// @ts-check
/**
 * The dependency rules of the layout (DESIGN.md), checked by `npm run lint` (depcruise).
 * Type-only imports count: tsPreCompilationDeps reads the TypeScript source, before `import type` is erased.
 * Node's own modules (core) and npm packages are outside these rules, except where a rule says so;
 * which npm packages a folder may use is eslint.config.js's no-restricted-imports.
 *
 * @type {import('dependency-cruiser').IConfiguration}
 */
export default {
  forbidden: [
    {
      name: 'no-cycle',
      severity: 'error',
      comment: 'No import cycles, type-only imports included.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'unresolvable',
      severity: 'error',
      comment: 'Every import resolves (an unresolved one would escape the other rules).',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'shared-is-self-contained',
      severity: 'error',
      comment: 'shared/ imports only shared/ and npm packages: no Node modules, nothing from electron/, renderer/ or test/.',
      from: { path: '^shared/' },
      to: { pathNot: ['^shared/', '^node_modules/'] },
    },
    {
      name: 'engine-only-shared',
      severity: 'error',
      comment: 'electron/engine/ imports only itself and shared/ (and Node and npm packages).',
      from: { path: '^electron/engine/' },
      to: { pathNot: ['^electron/engine/', '^shared/', '^node_modules/'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'engine-process-not-client',
      severity: 'error',
      comment: 'The engine process and the host-side engine client meet only in electron/engine/protocol.ts.',
      from: { path: '^electron/engine/(process/|protocol\\.ts$)' },
      to: { path: '^electron/engine/client/' },
    },
    {
      name: 'engine-client-not-process',
      severity: 'error',
      comment: 'The engine process and the host-side engine client meet only in electron/engine/protocol.ts.',
      from: { path: '^electron/engine/(client/|protocol\\.ts$)' },
      to: { path: '^electron/engine/process/' },
    },
    {
      name: 'router-only-shared',
      severity: 'error',
      comment: 'electron/router/ imports only itself and shared/ (and Node and npm packages).',
      from: { path: '^electron/router/' },
      to: { pathNot: ['^electron/router/', '^shared/', '^node_modules/'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'services-not-host-or-shell',
      severity: 'error',
      comment: 'Services know nothing of the composition root (electron/host/) or the Electron shell (electron/shell/).',
      from: { path: '^electron/services/' },
      to: { path: '^electron/(host|shell)/' },
    },
    {
      name: 'host-not-shell',
      severity: 'error',
      comment: 'electron/host/ runs without Electron: it does not import the Electron shell (electron/shell/).',
      from: { path: '^electron/host/' },
      to: { path: '^electron/shell/' },
    },
    {
      name: 'renderer-not-electron',
      severity: 'error',
      comment: 'renderer/ talks to the host only through the contract in shared/: nothing from electron/.',
      from: { path: '^renderer/' },
      to: { path: '^electron/' },
    },
  ],
  options: {
    // Type-only imports are dependencies too (a cycle through `import type` is still a cycle).
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(out|dist|test-results|playwright-report|test/\\.fixtures|test/bench/results)/' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
  },
};
