import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

interface ChunkLike {
  type: 'chunk' | 'asset';
  fileName: string;
  isEntry?: boolean;
  imports?: string[];
  code?: string;
}

/**
 * Prints the gzipped size of the JavaScript a browser must load before the first screen:
 * the entry chunk and everything it imports statically (lazy routes are not counted).
 * Fails the build when the budget is exceeded, so a regression cannot slip in unnoticed.
 */
export function initialJsBudget(options: { limitKb: number }): Plugin {
  return {
    name: 'initial-js-budget',
    apply: 'build',
    generateBundle(_options, bundle) {
      const chunks = new Map<string, ChunkLike>();
      for (const item of Object.values(bundle) as ChunkLike[]) {
        if (item.type === 'chunk') chunks.set(item.fileName, item);
      }
      const initial = new Set<string>();
      const visit = (fileName: string): void => {
        if (initial.has(fileName)) return;
        const chunk = chunks.get(fileName);
        if (!chunk) return;
        initial.add(fileName);
        for (const imported of chunk.imports ?? []) visit(imported);
      };
      for (const chunk of chunks.values()) if (chunk.isEntry) visit(chunk.fileName);
      let gzipped = 0;
      for (const fileName of initial) gzipped += gzipSync(chunks.get(fileName)?.code ?? '').length;
      const kb = gzipped / 1024;
      const line = `initial JS: ${kb.toFixed(1)} KB gzipped in ${initial.size} file(s), budget ${options.limitKb} KB`;
      if (kb > options.limitKb) this.error(line);
      this.info(line);
    },
  };
}
