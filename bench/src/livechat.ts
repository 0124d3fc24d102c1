import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { demoArticles } from '@chat/app/seed/live-chat';
import { createCommandBus } from '@chat/command-api';
import { createLogger, loadConfig, openPlatform, type Platform } from '@chat/platform';
import {
  cannon as fire,
  closedLoop,
  paced,
  type CannonOptions,
  type CannonRequest,
  type PacedRequest,
} from './cannon';
import { print, rawInsertCeiling, round, scratchDatabase, summarize } from './measure';
import { getJson, settle, startServer, stopServers } from './server';

/**
 * Live chat on Postgres, through HTTP, beside ceilings measured in the same run (raw one-row
 * inserts, and a bare fastify endpoint on the same server):
 * (a) visitor messages/s with 200 concurrent sessions (the knowledge-base bot reading each);
 * (b) how long until a visitor's message shows in the agent's session view, at 200 messages/s;
 * (c) agent queue polls (open sessions + KPI tiles) when nothing changed (304) and
 * (d) right after something changed (200 with the list).
 *
 * The server runs in a child process (the all-in-one composition on Postgres) so that the load
 * generator does not share its event loop. It lifts the widget's per-address and per-visitor
 * rate limits: here one address sends for 200 visitors, each faster than a person types.
 * BENCH_DEBUG=1 prints how far behind the log each projector and reactor is, every 0.5 s of (b).
 */

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const cannon = (options: Omit<CannonOptions, 'duration'> & { duration?: number }) =>
  fire({ duration: SECONDS, ...options });
const SESSIONS = 200;
const VISIBILITY_RATE = Number(process.env.BENCH_RATE ?? 200);
const LIGHT_RATE = 50;
const WATCHED = 20;
const POLLERS = 20;
/** `all-in-one` (one process, as `npm start`) or `services` (the APIs in one process, projections and the bot in another). */
const TOPOLOGY = process.env.BENCH_TOPOLOGY === 'services' ? 'services' : 'all-in-one';

/** What visitors write: half of it matches an article, so the bot has real work. */
const PHRASES = [
  'I forgot my password, how can I reset it?',
  'Hello, is anyone there?',
  'My VPN keeps disconnecting when I work from home',
  'Thanks, I will wait.',
  'The printer on my floor is offline',
  'Can you check my order, please?',
  "I need a copy of last month's invoice",
  'It still does not work.',
];

interface VisitorSession {
  sessionId: string;
  token: string;
}

interface Fixture {
  staffTokens: string[];
  sessions: VisitorSession[];
}

/** The knowledge base, an agent with a session per poller, and 200 visitors who started a chat through the widget API. */
async function setUp(url: string, platform: Platform): Promise<Fixture> {
  const bus = createCommandBus(platform);
  const agentId = randomUUID();
  await bus.execute({
    name: 'CreateUser',
    issuer: { kind: 'system', id: 'bench' },
    body: {
      userId: agentId,
      email: `${agentId}@bench.local`,
      name: 'Bench Manager',
      role: 'MANAGER',
      password: 'bench-pw',
    },
  });
  const manager = {
    kind: 'user' as const,
    principal: { userId: agentId, role: 'MANAGER' as const, sessionId: 'bench' },
  };
  for (const article of demoArticles)
    await bus.execute({
      name: 'PublishArticle',
      issuer: manager,
      body: { articleId: randomUUID(), title: article.title, body: article.body },
    });
  const staffTokens = await Promise.all(
    Array.from({ length: POLLERS }, async () => (await platform.sessions.create(agentId, 'MANAGER')).token),
  );
  const sessions: VisitorSession[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    const response = await fetch(`${url}/api/widget/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.9.${i >> 8}.${i & 255}` },
      body: JSON.stringify({ name: `Visitor ${i}`, widgetKey: 'demo' }),
    });
    if (response.status !== 200)
      throw new Error(`start session: ${response.status} ${await response.text()}`);
    sessions.push((await response.json()) as VisitorSession);
  }
  return { staffTokens, sessions };
}

/** The `n`th visitor message: by the next visitor in turn, with the next phrase. */
function messageRequest(sessions: VisitorSession[], n: number, visitor = n): PacedRequest {
  const session = sessions[visitor % sessions.length]!;
  return {
    method: 'POST',
    path: `/api/widget/sessions/${session.sessionId}/messages`,
    headers: { authorization: `Bearer ${session.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ messageId: randomUUID(), body: PHRASES[n % PHRASES.length] }),
  };
}

/**
 * At a steady `rate` of visitor messages: the rest of the visitors under load, and 20 watched
 * visitors writing once a second each. After each answer, the agent's session view is asked for it
 * with X-Min-Position (the query API answers once its read models have passed the message, at most
 * 2 s later, else it is asked again): the time until the view holds the message, from the answer
 * and from sending.
 */
async function visibilityAt(url: string, fixture: Fixture, rate: number) {
  const staff = fixture.staffTokens[0]!;
  const watched = fixture.sessions.slice(0, WATCHED);
  const fromAnswer: number[] = [];
  const fromSend: number[] = [];
  let unseen = 0;
  let refused = 0;
  let viewRequests = 0;
  const writers = watched.map(async (session, i) => {
    const token = fixture.staffTokens[i % fixture.staffTokens.length]!;
    let cursor = 0;
    await new Promise((resolve) => setTimeout(resolve, (1000 * i) / WATCHED));
    const deadline = performance.now() + SECONDS * 1000;
    let n = 0;
    while (performance.now() < deadline) {
      const due = performance.now() + 1000;
      const messageId = randomUUID();
      const sent = performance.now();
      const response = await fetch(`${url}/api/widget/sessions/${session.sessionId}/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${session.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ messageId, body: PHRASES[n++ % PHRASES.length] }),
      });
      const answer = (await response.json()) as { position?: string };
      const answered = performance.now();
      if (response.status !== 200 || !answer.position) {
        refused++;
        continue;
      }
      let seen = false;
      for (let tries = 0; !seen && tries < 10; tries++) {
        const view = await getJson(
          `${url}/api/livechat/sessions/${session.sessionId}?after=${cursor}`,
          token,
          { 'x-min-position': answer.position },
        );
        viewRequests++;
        const messages = (view.body?.messages ?? []) as { id: string }[];
        seen = messages.some((m) => m.id === messageId);
        if (view.body) cursor = Number(view.body.cursor);
      }
      const now = performance.now();
      if (seen) {
        fromAnswer.push(now - answered);
        fromSend.push(now - sent);
      } else unseen++;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
    }
  });
  const probe = process.env.BENCH_DEBUG
    ? setInterval(() => {
        void getJson(`${url}/api/projections`, staff).then((a) =>
          process.stderr.write(
            `lag ${JSON.stringify((a.body?.items as { name: string; position: string }[]).map((i) => `${i.name}:${(BigInt(a.body!.head as string) - BigInt(i.position)) / 1000n}`))}\n`,
          ),
        );
      }, 500)
    : null;
  const steadyStart = performance.now();
  const others = fixture.sessions.slice(WATCHED);
  const steady = await paced({
    url,
    rate: Math.max(1, rate - WATCHED),
    seconds: SECONDS,
    request: (i) => messageRequest(others, i),
  });
  await Promise.all(writers);
  const steadySeconds = (performance.now() - steadyStart) / 1000;
  if (probe) clearInterval(probe);
  const visibility = {
    fromAnswer: summarize(fromAnswer),
    fromSend: summarize(fromSend),
    unseen,
    refused,
    messagesPerSecond: round(steady.perSecond + fromSend.length / steadySeconds, 0),
    loadP99: steady.p99,
    viewRequests,
  };
  return visibility;
}

export async function run() {
  const loadAtStart = loadavg()[0]!;
  const scratch = await scratchDatabase('bench_livechat');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-livechat-'));
  const env = {
    DATABASE_URL: scratch.url,
    EVENT_STORE: 'postgres',
    DATA_KEY_SECRET: randomBytes(32).toString('hex'),
    DATA_DIR: dataDir,
    DB_POOL_SIZE: '40',
  };
  let server: ChildProcess | null = null;
  let projections: ChildProcess | null = null;
  let platform: Platform | null = null;
  try {
    const started = await startServer(TOPOLOGY === 'services' ? 'api' : 'all-in-one', env);
    server = started.child;
    const { url } = started;
    if (TOPOLOGY === 'services') projections = (await startServer('projections', env)).child;
    const config = loadConfig({
      ...process.env,
      ...env,
      DB_POOL_SIZE: '4',
      SEED_DEMO: 'false',
      LOG_LEVEL: 'warn',
    });
    platform = await openPlatform(config, createLogger('warn', 'bench'));
    const fixture = await setUp(url, platform);
    const staff = fixture.staffTokens[0]!;
    await settle(url, staff);

    // (0) the ceilings, measured now: raw one-row inserts on this database, a bare endpoint of this server.
    const ceiling = await rawInsertCeiling(scratch.url, 40, SECONDS);
    print('ceiling: raw BEGIN; INSERT; COMMIT, 40 connections', ceiling);
    const bare = await cannon({
      url,
      connections: POLLERS,
      requests: [{ method: 'GET', path: '/bench/bare' }],
    });
    print(`ceiling: bare fastify GET, ${POLLERS} connections (req/s, ms)`, bare);

    // (a) visitor messages as fast as 200 visitors go, each writing again once answered.
    let written = 0;
    const messages = await closedLoop({
      url,
      workers: SESSIONS,
      seconds: SECONDS,
      request: (visitor) => messageRequest(fixture.sessions, written++, visitor),
    });
    print(`(a) visitor messages, ${SESSIONS} concurrent sessions (req/s, ms)`, messages);
    const messageRatio = round(messages.perSecond / ceiling.perSecond);
    print(
      '    ratio messages/s : raw insert/s',
      `${messages.perSecond} / ${ceiling.perSecond} = ${messageRatio}`,
    );
    await settle(url, staff);

    // (b) at a steady 200 messages/s, and for the curve at 50/s: visitor message -> agent's session view.
    const visibility = await visibilityAt(url, fixture, VISIBILITY_RATE);
    print(`(b) visitor message -> agent's session view at ${VISIBILITY_RATE}/s (ms)`, visibility);
    await settle(url, staff);
    const lightVisibility = await visibilityAt(url, fixture, LIGHT_RATE);
    print(`    the same at ${LIGHT_RATE}/s (ms)`, lightVisibility);
    await settle(url, staff);

    // (c) the queue's 10-second refresh, open sessions + KPI tiles, when nothing changed: 304s.
    const tags = await Promise.all(
      fixture.staffTokens.map(async (token) => {
        const queue = await getJson(`${url}/api/livechat/sessions?status=open`, token);
        const kpis = await getJson(`${url}/api/livechat/kpis`, token);
        return {
          token,
          queue: queue.etag!,
          kpis: kpis.etag!,
          openSessions: (queue.body!.items as unknown[]).length,
        };
      }),
    );
    let nextPoller = 0;
    const pollRequests = (): CannonRequest[] => [
      {
        method: 'GET',
        path: '/api/livechat/sessions?status=open',
        setupRequest: (request, context) => {
          context.tag ??= tags[nextPoller++ % tags.length];
          const tag = context.tag as (typeof tags)[number];
          return {
            ...request,
            headers: { authorization: `Bearer ${tag.token}`, 'if-none-match': tag.queue },
          };
        },
      },
      {
        method: 'GET',
        path: '/api/livechat/kpis',
        setupRequest: (request, context) => {
          const tag = context.tag as (typeof tags)[number];
          return { ...request, headers: { authorization: `Bearer ${tag.token}`, 'if-none-match': tag.kpis } };
        },
      },
    ];
    const unchanged = await cannon({ url, connections: POLLERS, requests: pollRequests() });
    const unchangedPolls = {
      requestsPerSecond: unchanged.perSecond,
      p50: unchanged.p50,
      p99: unchanged.p99,
      statuses: unchanged.statuses,
    };
    print(`(c) unchanged queue poll (list + KPIs), ${POLLERS} agents (req/s, ms)`, unchangedPolls);

    // (d) the same polls right after a visitor wrote: 200s with the whole open list.
    const one = fixture.sessions[SESSIONS - 1]!;
    await fetch(`${url}/api/widget/sessions/${one.sessionId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${one.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ messageId: randomUUID(), body: 'One more thing.' }),
    });
    await settle(url, staff);
    const changed = await cannon({ url, connections: POLLERS, requests: pollRequests() });
    const changedPolls = {
      requestsPerSecond: changed.perSecond,
      p50: changed.p50,
      p99: changed.p99,
      statuses: changed.statuses,
      openSessions: tags[0]!.openSessions,
    };
    print(
      `(d) queue poll after a change (200, ${tags[0]!.openSessions} open sessions) (req/s, ms)`,
      changedPolls,
    );

    const summary = [
      {
        metric: `visitor messages/s, ${SESSIONS} sessions over HTTP`,
        value: messages.perSecond,
        unit: 'messages/s',
        reference: { label: 'raw one-row inserts/s, same run', value: ceiling.perSecond },
      },
      {
        metric: 'visitor message p99 latency',
        value: messages.p99,
        unit: 'ms',
        reference: { label: 'raw one-row insert p99', value: ceiling.p99 },
      },
      {
        metric: `message -> agent view p99 (from the answer) at ${visibility.messagesPerSecond} messages/s`,
        value: visibility.fromAnswer.p99,
        unit: 'ms',
        target: '<= 100 ms at 200 messages/s',
      },
      {
        metric: `message -> agent view p99 (from the answer) at ${lightVisibility.messagesPerSecond} messages/s`,
        value: lightVisibility.fromAnswer.p99,
        unit: 'ms',
      },
      {
        metric: 'unchanged queue polls (304)',
        value: unchanged.perSecond,
        unit: 'req/s',
        reference: { label: 'bare fastify GET, same server', value: bare.perSecond },
      },
      {
        metric: 'queue polls after a change (200)',
        value: changed.perSecond,
        unit: 'req/s',
        reference: { label: 'unchanged polls (304)', value: unchanged.perSecond },
      },
    ];
    return {
      seconds: SECONDS,
      sessions: SESSIONS,
      // Other work on the machine during the run (1-minute load averages at start and end).
      loadAverage: { start: round(loadAtStart), end: round(loadavg()[0]!) },
      ceiling,
      bare,
      messages: { ...messages, ratioToCeiling: messageRatio },
      visibility,
      lightVisibility,
      unchangedPolls,
      changedPolls,
      summary,
    };
  } finally {
    await platform?.close();
    await stopServers([server, projections]);
    await scratch.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
