// @ts-check
const { pathsToModuleNameMapper } = require('ts-jest');
const ts = require('typescript');

// The @tributary/* aliases come from tsconfig.json so jest and tsc can never disagree.
const { config } = ts.readConfigFile(`${__dirname}/tsconfig.json`, ts.sys.readFile);
const moduleNameMapper = pathsToModuleNameMapper(config.compilerOptions.paths, { prefix: '<rootDir>/' });

const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json', diagnostics: false }],
};

/** @type {import('jest').Config} */
module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/schematics/.*/files/'],
  // Global options (jest ignores them inside a project): integration suites talk to real brokers.
  testTimeout: 120_000,
  slowTestThreshold: 30,
  projects: [
    {
      displayName: 'unit',
      rootDir: __dirname,
      testEnvironment: 'node',
      transform,
      moduleNameMapper,
      testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts', '<rootDir>/schematics/**/*.spec.ts', '<rootDir>/ops/**/*.spec.ts', '<rootDir>/tools/**/*.spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/dist/', '/files/'],
    },
    {
      displayName: 'integration',
      rootDir: __dirname,
      testEnvironment: 'node',
      transform,
      moduleNameMapper,
      testMatch: [
        '<rootDir>/libs/**/*.e2e-spec.ts',
        '<rootDir>/test/**/*.e2e-spec.ts',
        '<rootDir>/apps/**/*.e2e-spec.ts',
        '<rootDir>/schematics/**/*.e2e-spec.ts',
      ],
      // Kafka is started only when integration suites run (and KAFKA_BROKERS is unset).
      globalSetup: '<rootDir>/test/global-setup.js',
      globalTeardown: '<rootDir>/test/global-teardown.js',
    },
  ],
};
