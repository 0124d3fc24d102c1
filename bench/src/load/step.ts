import { monitorEventLoopDelay } from 'node:perf_hooks';
import { round, summarize } from '../measure';
import type { Client } from './client';
import { loadAverage, machineCpu, postgresProcesses, snapshot, used } from './procfs';
import type { RunningSystem } from './servers';
import { KINDS, type Simulation } from './simulation';

/** One step of the ramp: N users for a while, measured. */

export const P99_LIMIT_MS = 250;
export const ERROR_LIMIT = 0.001;

export interface TypeStats {
  count: number;
  p50: number;
  p99: number;
  errors: number;
  /** Status codes of the errors (0: no answer, or a timeout). */
  errorStatuses?: Record<string, number>;
}

export interface StepResult {
  n: number;
  agents: number;
  visitors: number;
  seconds: number;
  requestsPerSecond: number;
  errorRate: number;
  /** The slowest p99 among the request types with enough samples to judge. */
  worst: { type: string; p99: number } | null;
  healthy: boolean;
  verdict: string;
  types: Record<string, TypeStats>;
  kinds: Record<string, { count: number; p50: number; p99: number }>;
  /** CPU in % of one core over the window. */
  cpu: {
    server: Record<string, number>;
    serverTotal: number;
    postgres: number | null;
    generator: number;
    /** Everything else the machine ran meanwhile (other programs share these cores). */
    others: number;
    /** Busy share of all the machine's cores, %. */
    machineBusy: number;
    loadAverage: number;
  };
  generatorLoopDelayP99Ms: number;
  projections: ProjectionLag;
}

export interface ProjectionLag {
  samples: number;
  /** Share of probes that found some projector behind the head of the log. */
  behindShare: number;
  /** Largest head minus slowest checkpoint seen (positions). */
  maxBehindPositions: number;
  /** How long until every projector passed the head seen by a probe (probes every LAG_PROBE_MS). */
  catchUpMs: { p50: number; p99: number; max: number };
}

const LAG_PROBE_MS = 200;

/** Probes `GET /api/projections` on its own connection while a step runs. */
class LagProbe {
  private readonly samples: { t: number; head: bigint; min: bigint }[] = [];
  private active = true;
  private readonly done: Promise<void>;

  constructor(client: Client) {
    this.done = (async () => {
      while (this.active) {
        const t = performance.now();
        const answer = await client.request('projections', 'GET', '/api/projections', { parse: true });
        if (answer.status === 200 && answer.body) {
          const positions = (answer.body.items as { position: string }[]).map((i) => BigInt(i.position));
          if (positions.length)
            this.samples.push({
              t,
              head: BigInt(answer.body.head),
              min: positions.reduce((a, b) => (b < a ? b : a)),
            });
        }
        await new Promise((resolve) =>
          setTimeout(resolve, Math.max(0, LAG_PROBE_MS - (performance.now() - t))),
        );
      }
    })();
  }

  async stop(): Promise<ProjectionLag> {
    this.active = false;
    await this.done;
    const s = this.samples;
    const catchUp = s.map((sample, i) => {
      const caught = s.slice(i).find((later) => later.min >= sample.head);
      return (caught ?? s[s.length - 1]!).t - sample.t;
    });
    const behind = s.filter((x) => x.min < x.head);
    return {
      samples: s.length,
      behindShare: s.length ? round(behind.length / s.length, 3) : 0,
      maxBehindPositions: Number(
        behind.reduce((max, x) => (x.head - x.min > max ? x.head - x.min : max), 0n),
      ),
      catchUpMs: (({ p50, p99, max }) => ({ p50, p99, max }))(summarize(catchUp)),
    };
  }
}

export interface StepContext {
  system: RunningSystem;
  client: Client;
  probeClient: Client;
  simulation: Simulation;
  seconds: number;
  warmupSeconds: number;
  minSamples: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runStep(context: StepContext, n: number): Promise<StepResult> {
  const { system, client, simulation, seconds } = context;
  simulation.resize(n, context.warmupSeconds * 1000);
  await sleep(context.warmupSeconds * 1000);

  const serverPids = system.processes.map((p) => p.pid);
  const postgresPids = system.database ? postgresProcesses(system.database) : [];
  const before = {
    server: snapshot(serverPids),
    postgres: snapshot(postgresPids),
    machine: machineCpu(),
    generator: process.cpuUsage(),
  };
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const probe = new LagProbe(context.probeClient);
  client.recorder.begin();
  const t0 = performance.now();
  await sleep(seconds * 1000);
  client.recorder.end();
  const elapsed = (performance.now() - t0) / 1000;
  const after = {
    server: snapshot(serverPids),
    postgres: system.database
      ? snapshot([...new Set([...postgresPids, ...postgresProcesses(system.database)])])
      : new Map<number, number>(),
    machine: machineCpu(),
    generator: process.cpuUsage(before.generator),
  };
  loop.disable();
  const projections = await probe.stop();
  // Answers to the window's requests still on their way; what is still unanswered then counts with its age.
  await sleep(1_000);
  const samples = client.recorder.collect();

  const types: Record<string, TypeStats> = {};
  let total = 0;
  let errors = 0;
  for (const [type, list] of [...samples].sort(([a], [b]) => a.localeCompare(b))) {
    const failed = list.filter((s) => !s.ok);
    const errorStatuses: Record<string, number> = {};
    for (const s of failed) errorStatuses[s.status] = (errorStatuses[s.status] ?? 0) + 1;
    const { count, p50, p99 } = summarize(list.map((s) => s.ms));
    types[type] = { count, p50, p99, errors: failed.length, ...(failed.length ? { errorStatuses } : {}) };
    total += count;
    errors += failed.length;
  }
  const kinds: StepResult['kinds'] = {};
  for (const [kind, members] of Object.entries(KINDS)) {
    const ms = members.flatMap((type) => (samples.get(type) ?? []).map((s) => s.ms));
    if (ms.length) kinds[kind] = (({ count, p50, p99 }) => ({ count, p50, p99 }))(summarize(ms));
  }
  const judged = Object.entries(types).filter(([, s]) => s.count >= context.minSamples);
  const worst = judged.reduce<{ type: string; p99: number } | null>(
    (w, [type, s]) => (!w || s.p99 > w.p99 ? { type, p99: s.p99 } : w),
    null,
  );
  const errorRate = total ? errors / total : 1;
  const reasons = [
    ...(worst && worst.p99 > P99_LIMIT_MS
      ? [`p99 of ${worst.type} ${worst.p99} ms > ${P99_LIMIT_MS} ms`]
      : []),
    ...(errorRate > ERROR_LIMIT ? [`errors ${round(errorRate * 100, 3)} % > ${ERROR_LIMIT * 100} %`] : []),
    ...(total === 0 ? ['no request answered'] : []),
  ];
  const percentOfCore = (cpuSeconds: number) => round((cpuSeconds / elapsed) * 100, 0);
  const server = Object.fromEntries(
    system.processes.map((p) => [
      p.name,
      percentOfCore((after.server.get(p.pid) ?? 0) - (before.server.get(p.pid) ?? 0)),
    ]),
  );
  const machine = {
    busy: after.machine.busy - before.machine.busy,
    total: after.machine.total - before.machine.total,
  };
  const serverTotal = percentOfCore(used(before.server, after.server));
  const postgres = system.database ? percentOfCore(used(before.postgres, after.postgres)) : null;
  const generator = percentOfCore((after.generator.user + after.generator.system) / 1e6);
  const counts = simulation.counts;
  return {
    n,
    agents: counts.agents,
    visitors: counts.visitors,
    seconds: round(elapsed, 1),
    requestsPerSecond: round(total / elapsed, 0),
    errorRate: round(errorRate, 5),
    worst,
    healthy: reasons.length === 0,
    verdict: reasons.length ? reasons.join('; ') : 'healthy',
    types,
    kinds,
    cpu: {
      server,
      serverTotal,
      postgres,
      generator,
      others: Math.max(0, percentOfCore(machine.busy) - serverTotal - (postgres ?? 0) - generator),
      machineBusy: machine.total > 0 ? round((machine.busy / machine.total) * 100, 0) : 0,
      loadAverage: loadAverage(),
    },
    generatorLoopDelayP99Ms: round(loop.percentile(99) / 1e6, 1),
    projections,
  };
}
