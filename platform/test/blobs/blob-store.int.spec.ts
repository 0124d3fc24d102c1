import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBlobStore, FsBlobStore, PostgresBlobStore, type BlobStore } from '../../src/blobs/index';
import { createTestDatabase } from '../../src/testing/database';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

// One database for every Postgres case: the cases use distinct content or are idempotent.
let database: ReturnType<typeof createTestDatabase> | null = null;

const stores: [string, () => Promise<BlobStore>][] = [
  [
    'filesystem',
    async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'blobs-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      return new FsBlobStore(dir);
    },
  ],
  [
    'postgres',
    async () => {
      database ??= createTestDatabase().then((opened) => {
        cleanups.push(() => opened.close());
        return opened;
      });
      return new PostgresBlobStore((await database).pool);
    },
  ],
];

describe.each(stores)('the %s blob store', (_name, open) => {
  it('stores bytes under their sha256 and gives them back', async () => {
    const store = await open();
    const bytes = randomBytes(70_000);
    const sha256 = await store.put(bytes);
    expect(sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect((await store.get(sha256))!.equals(bytes)).toBe(true);
  });
  it('keeps the same content once, however often and however concurrently it is stored', async () => {
    const store = await open();
    const bytes = Buffer.from('same content');
    const hashes = await Promise.all(Array.from({ length: 10 }, () => store.put(bytes)));
    expect(new Set(hashes).size).toBe(1);
    expect((await store.get(hashes[0]!))!.toString()).toBe('same content');
  });
  it('answers null for unknown and malformed addresses', async () => {
    const store = await open();
    expect(await store.get('0'.repeat(64))).toBeNull();
    expect(await store.get('../../etc/passwd')).toBeNull();
    expect(await store.get('')).toBeNull();
  });
  it('stores an empty blob and a binary one byte for byte', async () => {
    const store = await open();
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    expect((await store.get(await store.put(all)))!.equals(all)).toBe(true);
    expect((await store.get(await store.put(Buffer.alloc(0))))!.length).toBe(0);
  });
});

describe('choosing the blob store', () => {
  it('files under DATA_DIR/blobs by default, fanned out by hash, without leftovers', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'data-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const store = createBlobStore({ BLOB_STORE: 'fs', DATA_DIR: dir }, undefined as never);
    expect(store.kind).toBe('fs');
    const sha256 = await store.put(Buffer.from('hello'));
    expect(readdirSync(path.join(dir, 'blobs', sha256.slice(0, 2), sha256.slice(2, 4)))).toEqual([sha256]);
  });
  it('Postgres when BLOB_STORE=postgres', async () => {
    const pool = {} as never;
    expect(createBlobStore({ BLOB_STORE: 'postgres', DATA_DIR: '.' }, pool).kind).toBe('postgres');
  });
});
