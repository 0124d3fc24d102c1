import { createHash } from 'node:crypto';

/**
 * Content-addressed bytes (attachments): stored under their sha256, so the same file uploaded
 * twice is kept once and a stored blob never changes. Who may read a blob is decided by the
 * caller; the store only keeps bytes.
 */
export interface BlobStore {
  readonly kind: 'fs' | 'postgres';
  /** Stores the bytes (a no-op when they are already there); answers their sha256 in hex. */
  put(bytes: Buffer): Promise<string>;
  /** The bytes stored under this sha256, or null. */
  get(sha256: string): Promise<Buffer | null>;
}

export const sha256Hex = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

export const SHA256_HEX = /^[0-9a-f]{64}$/;
