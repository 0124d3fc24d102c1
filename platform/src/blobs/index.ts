import path from 'node:path';
import type pg from 'pg';
import type { Config } from '../config';
import type { BlobStore } from './blob-store';
import { FsBlobStore } from './fs-blob-store';
import { PostgresBlobStore } from './postgres-blob-store';

export * from './blob-store';
export { FsBlobStore } from './fs-blob-store';
export { PostgresBlobStore, BLOBS_DDL } from './postgres-blob-store';

/** The blob store the configuration names (BLOB_STORE): files under DATA_DIR/blobs, or Postgres. */
export function createBlobStore(config: Pick<Config, 'BLOB_STORE' | 'DATA_DIR'>, pool: pg.Pool): BlobStore {
  return config.BLOB_STORE === 'postgres'
    ? new PostgresBlobStore(pool)
    : new FsBlobStore(path.join(config.DATA_DIR, 'blobs'));
}
