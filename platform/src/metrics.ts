import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The process's Prometheus metrics, served at /metrics. */
export const metrics = (() => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by route',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    commands: new Counter({
      name: 'commands_total',
      help: 'Commands handled, by outcome',
      labelNames: ['command', 'outcome'],
      registers: [registry],
    }),
    projectionLagPositions: new Gauge({
      name: 'projection_lag_events',
      help: 'Whether a projector is behind the head of the log (head position minus checkpoint, in position units)',
      labelNames: ['projector'],
      registers: [registry],
    }),
    projectionLagSeconds: new Gauge({
      name: 'projection_lag_seconds',
      help: 'Age of the newest event not yet projected (0 when caught up)',
      labelNames: ['projector'],
      registers: [registry],
    }),
  };
})();
