/**
 * The one place that talks HTTP to the backend: JSON in and out, the error envelope,
 * read-your-writes positions and ETag revalidation. Feature code calls the per-area
 * modules next to this file, never fetch directly.
 */

export interface ErrorBody {
  error?: { code?: string; message?: string; details?: unknown };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** True when the request never got an answer (offline, server down, aborted by a proxy). */
  get isNetwork(): boolean {
    return this.status === 0;
  }
}

export interface QueryResult<T> {
  data: T;
  /** The server answered 304: `data` is the body it sent last time for this URL. */
  notModified: boolean;
  /** What the answer reflects (`X-Position`), when the server says so. */
  position: string | null;
}

type UnauthorizedHandler = () => void;

let minPosition: string | null = null;
let unauthorizedHandler: UnauthorizedHandler | null = null;
const etagCache = new Map<string, { etag: string; body: unknown }>();
const ETAG_CACHE_LIMIT = 300;

/** Positions are decimal strings on the wire; compare them without losing precision. */
export function comparePositions(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Remember the position of a write, so the next queries wait until it is visible. */
export function notePosition(position: string | null | undefined): void {
  if (!position || !/^\d+$/.test(position)) return;
  if (minPosition === null || comparePositions(position, minPosition) > 0) minPosition = position;
}

export function lastWritePosition(): string | null {
  return minPosition;
}

/** Called on any 401 (the session expired or was never there). */
export function onUnauthorized(handler: UnauthorizedHandler | null): void {
  unauthorizedHandler = handler;
}

/** Forget everything learned from this user's requests (sign-out). */
export function resetHttpState(): void {
  minPosition = null;
  etagCache.clear();
}

async function toApiError(response: Response): Promise<ApiError> {
  let body: ErrorBody | null = null;
  try {
    body = (await response.json()) as ErrorBody;
  } catch {
    body = null;
  }
  const code = body?.error?.code ?? `HTTP_${response.status}`;
  const message = body?.error?.message ?? (response.statusText || `Request failed (${response.status})`);
  return new ApiError(response.status, code, message, body?.error?.details);
}

async function send(input: string, init: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(input, { credentials: 'same-origin', ...init });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new ApiError(0, 'NETWORK', 'Cannot reach the server');
  }
  if (response.status === 401 && !input.startsWith('/api/auth/')) unauthorizedHandler?.();
  return response;
}

export interface QueryOptions {
  signal?: AbortSignal;
  /** Revalidate with `If-None-Match` and serve the remembered body on 304. */
  revalidate?: boolean;
}

/** GET a query endpoint. */
export async function query<T>(path: string, options: QueryOptions = {}): Promise<QueryResult<T>> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (minPosition !== null) headers['X-Min-Position'] = minPosition;
  const cached = options.revalidate ? etagCache.get(path) : undefined;
  if (cached) headers['If-None-Match'] = cached.etag;
  const response = await send(path, { method: 'GET', headers, signal: options.signal });
  const position = response.headers.get('X-Position');
  if (response.status === 304 && cached) {
    return { data: cached.body as T, notModified: true, position };
  }
  if (!response.ok) throw await toApiError(response);
  const data = (await response.json()) as T;
  const etag = response.headers.get('ETag');
  if (options.revalidate && etag) {
    if (etagCache.size >= ETAG_CACHE_LIMIT) {
      const oldest = etagCache.keys().next().value;
      if (oldest !== undefined) etagCache.delete(oldest);
    }
    etagCache.delete(path);
    etagCache.set(path, { etag, body: data });
  }
  return { data, notModified: false, position };
}

/** GET and return the body only. */
export async function get<T>(path: string, options: QueryOptions = {}): Promise<T> {
  return (await query<T>(path, options)).data;
}

export type CommandAnswer<T = object> = T & { position: string };

/** POST /api/commands/{name}: every write goes through here and records its position. */
export async function command<T = object>(
  name: string,
  body: object,
  options: { signal?: AbortSignal } = {},
): Promise<CommandAnswer<T>> {
  return post<CommandAnswer<T>>(`/api/commands/${name}`, body, options);
}

/** POST JSON to any endpoint; records `position` when the answer carries one. */
export async function post<T>(
  path: string,
  body: object,
  options: { signal?: AbortSignal } = {},
): Promise<T> {
  const response = await send(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
    signal: options.signal,
  });
  if (!response.ok) throw await toApiError(response);
  const text = await response.text();
  const data = (text ? JSON.parse(text) : {}) as T & { position?: unknown };
  if (typeof data.position === 'number') data.position = String(data.position);
  if (typeof data.position === 'string') notePosition(data.position);
  return data;
}

/** Builds a query string from the defined values only. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
