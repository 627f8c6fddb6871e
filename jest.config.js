/** @type {import('jest').Config} */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
  },
];

// Tests that run a cluster of their own processes (a 3+3 Redis Cluster with failovers, replicas
// behind HAProxy): `npm test` runs them after the rest (`jest --selectProjects solo --runInBand
// --forceExit`), one at a time, so their failover and health-check timings never compete with the
// other test files for the two CPUs. `npx jest <path>` still finds any test in either project.
// --forceExit: run together in one process, these files sometimes leave a timer behind after their
// Redis Cluster nodes are killed (--detectOpenHandles named none within minutes; each file alone
// exits), and a run that never ends would hold CI until its time limit.
const SOLO = ['**/test/e2e/redis-cluster.e2e.test.ts', '**/test/faults/redis-cluster.fault.test.ts', '**/test/replicas/**/*.test.ts'];

const shared = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/subgraphs', '<rootDir>/gateway', '<rootDir>/k6'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: { '^.+\\.(t|j|mj)s$': swc },
  // jose 6 ships ESM only; let swc turn it into CommonJS for jest.
  transformIgnorePatterns: ['/node_modules/(?!(jose)/)'],
  // Each package's public entry point, from its sources (tests import nothing deeper).
  moduleNameMapper: {
    '^@flashsale/platform$': '<rootDir>/subgraphs/platform/src',
    '^@flashsale/(user|product|cart|order)-subgraph$': '<rootDir>/subgraphs/$1/src',
    '^@flashsale/gateway$': '<rootDir>/gateway/src',
  },
};

module.exports = {
  projects: [
    { ...shared, displayName: 'main', testMatch: ['**/*.test.ts', ...SOLO.map((glob) => `!${glob}`)] },
    { ...shared, displayName: 'solo', testMatch: SOLO },
  ],
  testTimeout: 60_000,
  maxWorkers: 2,
};
