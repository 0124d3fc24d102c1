// @ts-expect-error autocannon ships no types; the few shapes used here are declared below.
import autocannonUntyped from 'autocannon';
import { round } from './measure';

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
  overallRate?: number;
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
