/* eslint-disable @typescript-eslint/no-explicit-any -- test client answers are whatever the API sent */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger, loadConfig } from '@chat/platform';
import { createScratchDatabase, onRealPostgres } from '@chat/platform/testing/database';
import { DEMO_PASSWORD } from '../seed/demo';
import { startSystem, type System, type SystemParts } from '../system';

export interface Answer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** An HTTP client of the running system, signed in or anonymous. Reads see its own writes. */
export class ApiClient {
  lastPosition: string | null = null;

  constructor(
    readonly baseUrl: string,
    readonly token: string | null = null,
    readonly user: { id: string; email: string; name: string; role: string } | null = null,
  ) {}

  async command<T = any>(name: string, body: unknown): Promise<Answer<T>> {
    const answer = await this.request<T>('POST', `/api/commands/${name}`, body);
    const position = (answer.body as { position?: string } | null)?.position;
    if (answer.status < 300 && position) this.lastPosition = position;
    return answer;
  }

  /** A GET that waits for this client's last write (X-Min-Position). */
  get<T = any>(pathAndQuery: string, headers: Record<string, string> = {}): Promise<Answer<T>> {
    return this.request<T>('GET', pathAndQuery, undefined, {
      ...(this.lastPosition ? { 'x-min-position': this.lastPosition } : {}),
      ...headers,
    });
  }

  async request<T = any>(
    method: string,
    pathAndQuery: string,
    body?: unknown,
    headers: Record<string, string> = {},
    signal?: AbortSignal,
  ): Promise<Answer<T>> {
    const response = await fetch(`${this.baseUrl}${pathAndQuery}`, {
      method,
      signal,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  }
}

export interface TestSystem {
  system: System;
  url: string;
  anonymous: ApiClient;
  /** Signs in (demo password by default). */
  login(email: string, password?: string): Promise<ApiClient>;
  /** Waits until every projector and reactor has read the whole log. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The whole system on a fresh database, over real HTTP on a free port: real Postgres when the
 * run has one (DATABASE_URL), else PGlite. Seeds the demo organisation unless told not to.
 */
export async function startTestSystem(
  options: {
    seed?: boolean;
    env?: Record<string, string>;
    parts?: Partial<SystemParts>;
    /** A Postgres of the test's own (e.g. a scratch cluster) instead of a fresh database. */
    databaseUrl?: string;
  } = {},
): Promise<TestSystem> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'portal-test-'));
  const scratch = !options.databaseUrl && onRealPostgres() ? await createScratchDatabase() : null;
  const url = options.databaseUrl ?? scratch?.url;
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    SEED_DEMO: String(options.seed ?? true),
    // tests play the gateway: they name distinct client addresses with X-Forwarded-For
    TRUST_PROXY: 'true',
    ...(url ? { DATABASE_URL: url, EVENT_STORE: 'postgres', DATA_KEY_SECRET: randomBytes(32).toString('hex') } : {}),
    ...options.env,
  });
  const system = await startSystem(config, createLogger(config.LOG_LEVEL), {
    commands: true,
    queries: true,
    projections: true,
    web: false,
    ...options.parts,
  });
  const baseUrl = system.url!;
  return {
    system,
    url: baseUrl,
    anonymous: new ApiClient(baseUrl),
    login: async (email, password = DEMO_PASSWORD) => {
      const answer = await new ApiClient(baseUrl).request('POST', '/api/auth/login', { email, password });
      if (answer.status !== 200) throw new Error(`login ${email}: ${answer.status} ${JSON.stringify(answer.body)}`);
      return new ApiClient(baseUrl, answer.body.token, answer.body.user);
    },
    settle: () => system.runner.catchUp(),
    close: async () => {
      await system.close();
      await scratch?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
