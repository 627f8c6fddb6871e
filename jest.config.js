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

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/subgraphs', '<rootDir>/gateway', '<rootDir>/k6'],
  testMatch: ['**/*.test.ts'],
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
  testTimeout: 60_000,
  maxWorkers: 2,
};
