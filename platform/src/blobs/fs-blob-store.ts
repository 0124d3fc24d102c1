import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SHA256_HEX, sha256Hex, type BlobStore } from './blob-store';

/**
 * Blobs as files under a directory (DATA_DIR/blobs), fanned out by the first bytes of the hash.
 * A blob is written to a temporary name and renamed into place, so a reader never sees half a file.
 */
export class FsBlobStore implements BlobStore {
  readonly kind = 'fs' as const;

  constructor(private readonly dir: string) {}

  private pathOf(sha256: string): string {
    return path.join(this.dir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async put(bytes: Buffer): Promise<string> {
    const sha256 = sha256Hex(bytes);
    const target = this.pathOf(sha256);
    const existing = await stat(target).catch(() => null);
    if (existing?.size === bytes.length) return sha256;
    await mkdir(path.dirname(target), { recursive: true });
    const temporary = `${target}.${randomUUID()}.tmp`;
    try {
      await writeFile(temporary, bytes, { mode: 0o600 });
      await rename(temporary, target);
    } finally {
      await rm(temporary, { force: true });
    }
    return sha256;
  }

  async get(sha256: string): Promise<Buffer | null> {
    if (!SHA256_HEX.test(sha256)) return null;
    try {
      return await readFile(this.pathOf(sha256));
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return null;
      throw error;
    }
  }
}
