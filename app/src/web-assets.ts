import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@chat/platform';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function newestMtime(target: string): number {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(target)) {
    if (entry === 'node_modules' || entry === 'dist' || entry === 'test') continue;
    newest = Math.max(newest, newestMtime(path.join(target, entry)));
  }
  return newest;
}

/**
 * Builds a front-end workspace (portal or widget) when its build is missing or older than its
 * sources, so a fresh clone needs nothing but `npm ci && npm start`. Answers whether a build exists.
 */
export function ensureBuilt(workspace: 'web-vue' | 'widget', builtFile: string, logger: Logger): boolean {
  const dir = path.join(repoRoot, workspace);
  const built = path.join(dir, 'dist', builtFile);
  if (!existsSync(path.join(dir, 'package.json'))) return false;
  const sources = Math.max(newestMtime(path.join(dir, 'src')), newestMtime(path.join(dir, 'index.html')), newestMtime(path.join(dir, 'vite.config.ts')));
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return true;
  logger.info({ workspace }, 'building (sources are newer than the build)');
  const result = spawnSync('npm', ['run', 'build', '--workspace', workspace], { cwd: repoRoot, stdio: 'inherit' });
  if (result.status !== 0) {
    logger.error({ workspace }, 'build failed; serving the API without it');
    return false;
  }
  return existsSync(built);
}
