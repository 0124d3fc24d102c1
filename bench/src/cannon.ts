import http from 'node:http';
// @ts-expect-error autocannon ships no types; the few shapes used here are declared below.
import autocannonUntyped from 'autocannon';
import { round, summarize } from './measure';

/** The parts of autocannon's options and results the benchmarks use. */
export interface CannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (request: CannonRequest, context: Record<string, unknown>) => CannonRequest;
  onResponse?: (status: number, body: string, context: Record<string, unknown>) => void;
}
export interface CannonOptions {
  url: string;
  connections: number;
  duration: number;
  requests: CannonRequest[];
}
interface CannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  requests: { total: number };
  latency: { p50: number; p99: number; max: number };
  statusCodeStats?: Record<string, { count: number }>;
}
const autocannon = autocannonUntyped as (
  options: CannonOptions,
  done: (error: Error | null, result: CannonResult) => void,
) => unknown;

export interface Cannon {
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  statuses: Record<string, number>;
}

/** Fires HTTP requests from many keep-alive connections for `duration` seconds; answers rate, latency and statuses. */
export function cannon(options: CannonOptions): Promise<Cannon> {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => {
      if (error) return reject(error);
      const statuses = Object.fromEntries(
        Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, Number(s.count)]),
      );
      resolve({
        perSecond: round(result.requests.total / (result.duration || options.duration), 0),
        p50: result.latency.p50,
        p99: result.latency.p99,
        max: result.latency.max,
        statuses: {
          ...statuses,
          ...(result.errors ? { errors: result.errors } : {}),
          ...(result.timeouts ? { timeouts: result.timeouts } : {}),
        },
      });
    });
  });
}

export interface PacedRequest {
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface PacedOptions {
  url: string;
  /** Requests per second, spread evenly: request i is due at i / rate seconds. */
  rate: number;
  seconds: number;
  request: (i: number) => PacedRequest;
  onResponse?: (status: number, body: string) => void;
}

/** One request on a kept-alive connection of `agent`: its status and body (status 0: no answer). */
function send(
  agent: http.Agent,
  url: string,
  request: PacedRequest,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const { path, method = 'GET', headers, body } = request;
    const outgoing = http.request(`${url}${path}`, { method, headers, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
      );
    });
    outgoing.on('error', () => resolve({ status: 0, body: '' }));
    outgoing.end(body);
  });
}

function result(latencies: number[], statuses: Record<string, number>, started: number): Cannon {
  const { p50, p99, max } = summarize(latencies);
  return {
    perSecond: round(latencies.length / ((performance.now() - started) / 1000), 0),
    p50,
    p99,
    max,
    statuses,
  };
}

const count = (statuses: Record<string, number>, status: number) => {
  const key = status === 0 ? 'errors' : String(status);
  statuses[key] = (statuses[key] ?? 0) + 1;
};

/**
 * Sends requests at an even pace whatever the answers take (an open loop, as people arrive).
 * autocannon's rate limit instead lets every connection send its share of a second at once and
 * then wait for the next second, so that "500/s" arrives as a burst at full speed followed by
 * silence. Latency counts from when a request was due, so a server that falls behind shows it.
 */
export async function paced(options: PacedOptions): Promise<Cannon> {
  const total = Math.round(options.rate * options.seconds);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const inFlight: Promise<void>[] = [];
  const start = performance.now();
  // node:http with kept-alive connections: fetch costs the generator several times the CPU, and
  // the generator shares the machine with what it measures.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const due = (i: number) => start + (i * 1000) / options.rate;
  for (let i = 0; i < total;) {
    const now = performance.now();
    for (; i < total && due(i) <= now; i++) {
      const at = due(i);
      inFlight.push(
        send(agent, options.url, options.request(i)).then(({ status, body }) => {
          count(statuses, status);
          if (status === 0) return;
          latencies.push(performance.now() - at);
          options.onResponse?.(status, body);
        }),
      );
    }
    if (i < total) await new Promise((resolve) => setTimeout(resolve, due(i) - performance.now()));
  }
  await Promise.all(inFlight);
  agent.destroy();
  return result(latencies, statuses, start);
}

/**
 * A closed loop: `workers` clients, each sending its next request as soon as it has the answer to
 * the last, for `seconds`. Unlike autocannon's connections, worker `w` is always the same client
 * (autocannon starts each request's context afresh, so "one visitor per connection" cannot hold).
 */
export async function closedLoop(options: {
  url: string;
  workers: number;
  seconds: number;
  request: (worker: number, i: number) => PacedRequest;
}): Promise<Cannon> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.workers });
  const start = performance.now();
  const deadline = start + options.seconds * 1000;
  await Promise.all(
    Array.from({ length: options.workers }, async (_, worker) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const sent = performance.now();
        const { status } = await send(agent, options.url, options.request(worker, i));
        count(statuses, status);
        if (status !== 0) latencies.push(performance.now() - sent);
      }
    }),
  );
  agent.destroy();
  return result(latencies, statuses, start);
}
