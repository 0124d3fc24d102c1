import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const shared = { globalSetup: ['./test/global-setup.ts'], testTimeout: 60_000, hookTimeout: 60_000 };
const backend = ['events', 'platform', 'command-api', 'projections', 'query-api', 'app', 'bench', 'widget'];

export default defineConfig({
  test: {
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'unit',
          include: [...backend.map((p) => `${p}/**/*.unit.spec.ts`)],
          exclude: ['**/node_modules/**'],
          ...shared,
        },
      },
      {
        test: {
          name: 'int',
          include: [...backend.map((p) => `${p}/**/*.int.spec.ts`)],
          exclude: ['**/node_modules/**'],
          ...shared,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['**/*.e2e.spec.ts'],
          exclude: ['**/node_modules/**'],
          ...shared,
          testTimeout: 120_000,
          fileParallelism: false,
        },
      },
      ...(existsSync('./web-vue/vitest.config.ts') ? ['./web-vue/vitest.config.ts'] : []),
    ],
  },
});
