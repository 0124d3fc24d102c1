import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';
import vue from '@vitejs/plugin-vue';

// The repository root, so the include below reads the same from the root config and from here.
const root = fileURLToPath(new URL('..', import.meta.url));

export default defineProject({
  root,
  plugins: [vue()],
  test: {
    name: 'web',
    root,
    environment: 'happy-dom',
    include: ['web-vue/src/**/*.unit.spec.ts'],
    exclude: ['**/node_modules/**'],
  },
});
