import type { ReadModels } from '@chat/projections';
import { NotFoundError, type HttpServer, type SessionLookup } from '@chat/platform';
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { ChangeVersions } from '../change-versions';
import { withEtag } from '../etag';
import { SameForEveryone } from '../same-for-everyone';
import { int8, iso, requireStaff } from './staff';
import { readTranscripts, TranscriptMessage } from './transcript';

export const SessionItem = z.object({
  id: z.string(),
  visitorName: z.string(),
  visitorEmail: z.string().nullable(),
  status: z.enum(['WAITING', 'ACTIVE', 'CLOSED']),
  agent: z.object({ id: z.string(), name: z.string() }).nullable(),
  agentJoined: z.boolean(),
  messageCount: z.number(),
  waitingSince: z.string().nullable(),
  startedAt: z.string(),
  closedAt: z.string().nullable(),
  lastActivityAt: z.string(),
  ticketId: z.string().nullable(),
  resolution: z.enum(['closed', 'self-served']).nullable(),
});
export type SessionItem = z.infer<typeof SessionItem>;

const FILTERS = {
  open: ['WAITING', 'ACTIVE'],
  waiting: ['WAITING'],
  active: ['ACTIVE'],
  closed: ['CLOSED'],
} as const;

export function sessionsQuery(db: Kysely<ReadModels>) {
  return db
    .selectFrom('livechat_sessions as s')
    .leftJoin('users as u', 'u.id', 's.agent_id')
    .select([
      's.id',
      's.visitor_name',
      's.visitor_email',
      's.status',
      's.agent_id',
      's.agent_joined',
      's.message_count',
      's.started_at',
      's.closed_at',
      's.unanswered_since',
      's.last_activity_at',
      's.ticket_id',
      's.resolution',
      's.version',
      'u.name as agent_name',
    ]);
}

const Kpis = z.object({
  waiting: z.number(),
  active: z.number(),
  unassigned: z.number(),
  closed: z.number(),
  selfServed: z.number(),
});

type SessionRow = Awaited<ReturnType<ReturnType<typeof sessionsQuery>['executeTakeFirstOrThrow']>>;

/**
 * How long the visitor has waited for staff: since the start while WAITING, since the oldest
 * unanswered message while ACTIVE, not at all once answered or closed.
 */
export function toSessionItem(row: SessionRow): SessionItem {
  const waitingSince =
    row.status === 'WAITING' ? row.started_at : row.status === 'ACTIVE' ? row.unanswered_since : null;
  return {
    id: row.id,
    visitorName: row.visitor_name,
    visitorEmail: row.visitor_email,
    status: row.status,
    agent: row.agent_id ? { id: row.agent_id, name: row.agent_name ?? 'Unknown agent' } : null,
    agentJoined: row.agent_joined,
    messageCount: row.message_count,
    waitingSince: iso(waitingSince),
    startedAt: iso(row.started_at)!,
    closedAt: iso(row.closed_at),
    lastActivityAt: iso(row.last_activity_at)!,
    ticketId: row.ticket_id,
    resolution: row.resolution,
  };
}

/** The agent queue: KPI tiles, the session list by filter, one session with its transcript. Staff only. */
export function registerLiveChatQueries(
  app: HttpServer,
  deps: { db: Kysely<ReadModels>; sessions: SessionLookup; versions: ChangeVersions },
): void {
  const { db, versions } = deps;
  const staff = requireStaff(deps.sessions);
  // Agent names come from the users read model: a change there changes these answers too.
  const queueVersion = async () => `${await versions.of('livechat')}.${await versions.of('users')}`;
  // Every agent polls the same queue and tiles: each version of them is read once.
  const kpis = new SameForEveryone<z.infer<typeof Kpis>>();
  const queues = new SameForEveryone<{ items: SessionItem[] }>();

  app.get(
    '/api/livechat/kpis',
    {
      schema: {
        tags: ['live chat'],
        summary: 'KPI tiles of the agent queue',
        response: { 200: Kpis },
      },
      preHandler: staff,
    },
    async (request, reply) => {
      const version = await versions.of('livechat');
      return withEtag(request, reply, `kpis.${version}`, () =>
        kpis.answer('kpis', version, async () => {
          const { rows } = await sql<
            Record<'waiting' | 'active' | 'unassigned' | 'closed' | 'self_served', string | number>
          >`
          SELECT count(*) FILTER (WHERE status = 'WAITING') AS waiting,
                 count(*) FILTER (WHERE status = 'ACTIVE') AS active,
                 count(*) FILTER (WHERE status = 'WAITING' AND agent_id IS NULL) AS unassigned,
                 count(*) FILTER (WHERE status = 'CLOSED') AS closed,
                 count(*) FILTER (WHERE resolution = 'self-served') AS self_served
          FROM livechat_sessions`.execute(db);
          const r = rows[0]!;
          return {
            waiting: Number(r.waiting),
            active: Number(r.active),
            unassigned: Number(r.unassigned),
            closed: Number(r.closed),
            selfServed: Number(r.self_served),
          };
        }),
      );
    },
  );

  app.get(
    '/api/livechat/sessions',
    {
      schema: {
        tags: ['live chat'],
        summary: 'The queue: open (waiting and active), waiting, active or closed sessions',
        querystring: z.strictObject({
          status: z.enum(['open', 'waiting', 'active', 'closed']).default('open'),
          limit: z.coerce.number().int().min(1).max(500).default(200),
        }),
        response: { 200: z.object({ items: z.array(SessionItem) }) },
      },
      preHandler: staff,
    },
    async (request, reply) => {
      const { status, limit } = request.query;
      const version = await queueVersion();
      const question = `${status}.${limit}`;
      return withEtag(request, reply, `sessions.${question}.${version}`, () =>
        queues.answer(question, version, async () => {
          let query = sessionsQuery(db)
            .where('s.status', 'in', [...FILTERS[status]])
            .limit(limit);
          // Waiting visitors first, longest waiting first; closed ones newest first.
          query =
            status === 'closed'
              ? query.orderBy('s.closed_at', 'desc').orderBy('s.id')
              : query.orderBy('s.status', 'desc').orderBy('s.queued_position');
          return { items: (await query.execute()).map(toSessionItem) };
        }),
      );
    },
  );

  app.get(
    '/api/livechat/sessions/:id',
    {
      schema: {
        tags: ['live chat'],
        summary: 'One session with its transcript (`after`: only lines after that sequence number)',
        params: z.strictObject({ id: z.uuid() }),
        querystring: z.strictObject({ after: z.coerce.number().int().min(0).optional() }),
        response: { 200: SessionItem.extend({ messages: z.array(TranscriptMessage), cursor: z.number() }) },
      },
      preHandler: staff,
    },
    async (request, reply) => {
      const head = await db
        .selectFrom('livechat_sessions')
        .select(['version'])
        .where('id', '=', request.params.id)
        .executeTakeFirst();
      if (!head) throw new NotFoundError('No such chat session');
      const after = request.query.after ?? 0;
      return withEtag(
        request,
        reply,
        `session.${int8(head.version)}.${after}.${await versions.of('users')}`,
        async () => {
          const row = await sessionsQuery(db).where('s.id', '=', request.params.id).executeTakeFirstOrThrow();
          const messages = (await readTranscripts(db, [row.id], after)).get(row.id) ?? [];
          return { ...toSessionItem(row), messages, cursor: messages.at(-1)?.seq ?? after };
        },
      );
    },
  );
}
