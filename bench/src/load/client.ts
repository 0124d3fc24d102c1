import { Pool } from 'undici';

/**
 * The load generator's HTTP client: undici's pools of keep-alive connections (measured: a quarter
 * less CPU per request than node:http, and fetch costs more still), timing every request into a
 * Recorder.
 * In the services mode commands, sign-in and widget writes go to command-api and every GET to
 * query-api, as the gateway of the production topology routes them.
 */

export interface Answer {
  status: number;
  etag: string | undefined;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  etag?: string;
  headers?: Record<string, string>;
  /** Parse the JSON answer (otherwise the body is drained unread). */
  parse?: boolean;
}

interface Sample {
  start: number;
  ms: number;
  ok: boolean;
  status: number;
}

/** Latencies and outcomes per request type, of the requests started inside the measuring window. */
export class Recorder {
  private samples = new Map<string, Sample[]>();
  private readonly inflight = new Set<{ type: string; start: number }>();
  private windowStart = Infinity;
  private windowEnd = Infinity;

  begin(): void {
    this.samples = new Map();
    this.windowStart = performance.now();
    this.windowEnd = Infinity;
  }

  end(): void {
    this.windowEnd = performance.now();
  }

  private inWindow(start: number) {
    return start >= this.windowStart && start <= this.windowEnd;
  }

  started(type: string): { type: string; start: number } {
    const entry = { type, start: performance.now() };
    this.inflight.add(entry);
    return entry;
  }

  finished(entry: { type: string; start: number }, status: number): void {
    this.inflight.delete(entry);
    if (!this.inWindow(entry.start)) return;
    let list = this.samples.get(entry.type);
    if (!list) this.samples.set(entry.type, (list = []));
    list.push({
      start: entry.start,
      ms: performance.now() - entry.start,
      ok: (status >= 200 && status < 300) || status === 304,
      status,
    });
  }

  /**
   * The window's samples. Requests of the window still unanswered count with their age so far (a
   * lower bound of their latency), so a stall cannot hide from the percentiles.
   */
  collect(): Map<string, Sample[]> {
    const now = performance.now();
    const result = new Map([...this.samples].map(([type, list]) => [type, [...list]]));
    for (const entry of this.inflight) {
      if (!this.inWindow(entry.start)) continue;
      if (!result.has(entry.type)) result.set(entry.type, []);
      result.get(entry.type)!.push({ start: entry.start, ms: now - entry.start, ok: true, status: 0 });
    }
    return result;
  }

  get pending(): number {
    return this.inflight.size;
  }
}

export interface Targets {
  commands: string;
  queries: string;
}

export class Client {
  /** One pool of keep-alive connections per server. */
  private readonly pools = new Map<string, Pool>();

  constructor(
    private readonly targets: Targets,
    readonly recorder: Recorder,
    private readonly maxSockets: number,
    private readonly timeoutMs = 10_000,
  ) {}

  private poolFor(method: string, path: string): Pool {
    const toCommands =
      method !== 'GET' &&
      (path.startsWith('/api/commands') ||
        path.startsWith('/api/auth') ||
        path.startsWith('/api/widget') ||
        path.startsWith('/api/attachments'));
    const origin = new URL(toCommands ? this.targets.commands : this.targets.queries).origin;
    let pool = this.pools.get(origin);
    if (!pool) this.pools.set(origin, (pool = new Pool(origin, { connections: this.maxSockets })));
    return pool;
  }

  /** One timed request of a type; never throws: a network error or a timeout answers status 0. */
  async request(
    type: string,
    method: 'GET' | 'POST',
    path: string,
    options: RequestOptions = {},
  ): Promise<Answer> {
    const pool = this.poolFor(method, path);
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.etag) headers['if-none-match'] = options.etag;
    if (payload !== undefined) headers['content-type'] = 'application/json';
    const entry = this.recorder.started(type);
    let answer: Answer;
    try {
      const response = await pool.request({
        method,
        path,
        headers,
        body: payload,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      const status = response.statusCode;
      const etag = typeof response.headers.etag === 'string' ? response.headers.etag : undefined;
      let body: unknown;
      if (!options.parse || status === 304) await response.body.dump();
      else body = await response.body.json().catch(() => undefined);
      answer = { status, etag, body };
    } catch {
      answer = { status: 0, etag: undefined, body: undefined };
    }
    this.recorder.finished(entry, answer.status);
    return answer;
  }

  close(): void {
    for (const pool of this.pools.values()) void pool.destroy();
  }
}
