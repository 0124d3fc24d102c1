import type pg from 'pg';
import { SHA256_HEX, sha256Hex, type BlobStore } from './blob-store';

export const BLOBS_DDL = `
  CREATE TABLE IF NOT EXISTS blobs (
    sha256 text PRIMARY KEY,
    size integer NOT NULL,
    bytes bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  )`;

/**
 * Blobs in a bytea table of the system's Postgres: every instance of a multi-instance
 * deployment sees the same bytes without a shared disk.
 */
export class PostgresBlobStore implements BlobStore {
  readonly kind = 'postgres' as const;
  private ready: Promise<void> | null = null;

  constructor(private readonly pool: pg.Pool) {}

  private migrate(): Promise<void> {
    this.ready ??= this.pool.query(BLOBS_DDL).then(
      () => undefined,
      (error: unknown) => {
        this.ready = null;
        throw error;
      },
    );
    return this.ready;
  }

  async put(bytes: Buffer): Promise<string> {
    await this.migrate();
    const sha256 = sha256Hex(bytes);
    await this.pool.query(
      'INSERT INTO blobs (sha256, size, bytes) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING',
      [sha256, bytes.length, bytes],
    );
    return sha256;
  }

  async get(sha256: string): Promise<Buffer | null> {
    if (!SHA256_HEX.test(sha256)) return null;
    await this.migrate();
    const { rows } = await this.pool.query<{ bytes: Buffer }>('SELECT bytes FROM blobs WHERE sha256 = $1', [
      sha256,
    ]);
    return rows[0]?.bytes ?? null;
  }
}
