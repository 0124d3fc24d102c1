/**
 * Builds the widget: the host-page loader (dist/widget.js) and the chat app for the iframe
 * (dist/chat.html + dist/assets/). Prints gzipped sizes and exits 1 when a budget is exceeded.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type InlineConfig } from 'vite';

const widgetDir = fileURLToPath(new URL('.', import.meta.url));
const distDir = join(widgetDir, 'dist');

export const BUDGETS = { loader: 5 * 1024, chat: 40 * 1024 };

const shared: InlineConfig = {
  configFile: false,
  logLevel: 'warn',
  publicDir: false,
  build: { target: 'es2020', minify: true, reportCompressedSize: false, emptyOutDir: false, outDir: distDir },
};

async function buildChat(): Promise<void> {
  await build({
    ...shared,
    root: join(widgetDir, 'src/chat'),
    base: './',
    build: {
      ...shared.build,
      assetsDir: 'assets',
      modulePreload: { polyfill: false },
      cssCodeSplit: false,
      rolldownOptions: { input: join(widgetDir, 'src/chat/chat.html') },
    },
  });
}

async function buildLoader(): Promise<void> {
  await build({
    ...shared,
    build: {
      ...shared.build,
      lib: {
        entry: join(widgetDir, 'src/loader/main.ts'),
        formats: ['iife'],
        name: 'PortalChatLoader',
        fileName: () => 'widget.js',
      },
    },
  });
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

async function gzipped(files: string[]): Promise<number> {
  let total = 0;
  for (const file of files) total += gzipSync(await readFile(file), { level: 9 }).length;
  return total;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

async function main(): Promise<void> {
  const started = performance.now();
  await rm(distDir, { recursive: true, force: true });
  await Promise.all([buildChat(), buildLoader()]);

  const files = await filesUnder(distDir);
  const loaderFiles = files.filter((f) => relative(distDir, f) === 'widget.js');
  const chatFiles = files.filter((f) => !loaderFiles.includes(f));
  const sizes = { loader: await gzipped(loaderFiles), chat: await gzipped(chatFiles) };

  const rows = [
    ['loader', 'widget.js', sizes.loader, BUDGETS.loader],
    ['chat', chatFiles.map((f) => relative(distDir, f)).join(' + '), sizes.chat, BUDGETS.chat],
  ] as const;
  let over = false;
  for (const [name, what, size, budget] of rows) {
    const ok = size <= budget;
    over ||= !ok;
    console.log(
      `${ok ? 'ok  ' : 'OVER'} ${name.padEnd(6)} ${kb(size).padStart(8)} gzipped (budget ${kb(budget)})  ${what}`,
    );
  }
  console.log(`widget built in ${Math.round(performance.now() - started)} ms`);
  if (over) {
    console.error('widget build failed: a size budget is exceeded');
    process.exitCode = 1;
  }
}

await main();
