import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { open, seal } from './cipher';

/**
 * Per-person data keys, kept outside the event store. Erasing a person deletes their key:
 * their encrypted fields read as "[erased]" from then on, everywhere.
 */
export interface KeyVault {
  /** The subject's key, created on first use; null once the subject was erased. */
  keyForWriting(subject: string): Promise<Buffer | null>;
  /** Keys of the given subjects; erased or unknown subjects are absent from the map. */
  keysForReading(subjects: string[]): Promise<Map<string, Buffer>>;
  erase(subject: string): Promise<void>;
  isErased(subject: string): Promise<boolean>;
}

export const ERASED = '[erased]';

/** Keys in memory only: for unit tests of deciders and handlers. */
export class MemoryKeyVault implements KeyVault {
  private readonly keys = new Map<string, Buffer | null>();

  async keyForWriting(subject: string): Promise<Buffer | null> {
    if (!this.keys.has(subject)) this.keys.set(subject, randomBytes(32));
    return this.keys.get(subject) ?? null;
  }
  async keysForReading(subjects: string[]): Promise<Map<string, Buffer>> {
    const found = new Map<string, Buffer>();
    for (const subject of subjects) {
      const key = this.keys.get(subject);
      if (key) found.set(subject, key);
    }
    return found;
  }
  async erase(subject: string): Promise<void> {
    this.keys.set(subject, null);
  }
  async isErased(subject: string): Promise<boolean> {
    return this.keys.has(subject) && this.keys.get(subject) === null;
  }
}

export const KEY_VAULT_DDL = `
  CREATE TABLE IF NOT EXISTS personal_data_keys (
    subject text PRIMARY KEY,
    wrapped_key text,
    created_at timestamptz NOT NULL DEFAULT now(),
    erased_at timestamptz
  )`;

/**
 * Keys in a Postgres table, each wrapped (AES-256-GCM) under the deployment's master secret,
 * so a copy of the table alone reveals nothing. A small cache spares a query per event;
 * an erasure in another process is honoured here once its cache entry expires (cacheMs). The
 * cache holds at most `cacheEntries` keys, the oldest going first: a replay of a million events
 * meets hundreds of thousands of people, and a long-running process meets them all in time.
 */
export class PostgresKeyVault implements KeyVault {
  private readonly cache = new Map<string, { key: Buffer | null; until: number }>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly masterKey: Buffer,
    private readonly cacheMs = 30_000,
    private readonly cacheEntries = 20_000,
  ) {}

  async migrate(): Promise<void> {
    await this.pool.query(KEY_VAULT_DDL);
  }

  async keyForWriting(subject: string): Promise<Buffer | null> {
    const cached = this.cached(subject);
    if (cached !== undefined) return cached;
    await this.pool.query(
      'INSERT INTO personal_data_keys (subject, wrapped_key) VALUES ($1, $2) ON CONFLICT (subject) DO NOTHING',
      [subject, seal(this.masterKey, randomBytes(32))],
    );
    return (await this.keysForReading([subject])).get(subject) ?? null;
  }

  async keysForReading(subjects: string[]): Promise<Map<string, Buffer>> {
    const found = new Map<string, Buffer>();
    const missing: string[] = [];
    for (const subject of new Set(subjects)) {
      const cached = this.cached(subject);
      if (cached === undefined) missing.push(subject);
      else if (cached) found.set(subject, cached);
    }
    if (missing.length > 0) {
      const { rows } = await this.pool.query<{ subject: string; wrapped_key: string | null }>(
        'SELECT subject, wrapped_key FROM personal_data_keys WHERE subject = ANY($1)',
        [missing],
      );
      const until = Date.now() + this.cacheMs;
      for (const row of rows) {
        const key = row.wrapped_key ? open(this.masterKey, row.wrapped_key) : null;
        this.remember(row.subject, key, until);
        if (key) found.set(row.subject, key);
      }
    }
    return found;
  }

  async erase(subject: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO personal_data_keys (subject, wrapped_key, erased_at) VALUES ($1, NULL, now())
       ON CONFLICT (subject) DO UPDATE SET wrapped_key = NULL, erased_at = now()`,
      [subject],
    );
    this.remember(subject, null, Date.now() + this.cacheMs);
  }

  async isErased(subject: string): Promise<boolean> {
    const { rows } = await this.pool.query(
      'SELECT 1 FROM personal_data_keys WHERE subject = $1 AND erased_at IS NOT NULL',
      [subject],
    );
    return rows.length > 0;
  }

  private cached(subject: string): Buffer | null | undefined {
    const entry = this.cache.get(subject);
    if (!entry) return undefined;
    if (entry.until < Date.now()) {
      this.cache.delete(subject);
      return undefined;
    }
    return entry.key;
  }

  private remember(subject: string, key: Buffer | null, until: number): void {
    this.cache.delete(subject); // re-inserted as the newest
    this.cache.set(subject, { key, until });
    if (this.cache.size > this.cacheEntries) this.cache.delete(this.cache.keys().next().value!);
  }
}
