import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';
import vue from '@vitejs/plugin-vue';

// Root is the repository root so the include below reads the same from the root config and here.
export default defineProject({
  root: fileURLToPath(new URL('..', import.meta.url)),
  plugins: [vue()],
  test: {
    name: 'web',
    environment: 'happy-dom',
    include: ['web-vue/src/**/*.unit.spec.ts'],
    exclude: ['**/node_modules/**'],
  },
});
