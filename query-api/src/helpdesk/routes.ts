import type { ReadModels } from '@chat/projections';
import { NotFoundError, type HttpServer, type SessionLookup } from '@chat/platform';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { ChangeVersions } from '../change-versions';
import { withEtag } from '../etag';
import { iso, requireStaff } from '../live-chat/staff';
import { readTranscripts, TranscriptMessage } from '../live-chat/transcript';

const TicketItem = z.object({
  id: z.string(),
  subject: z.string(),
  status: z.enum(['open', 'pending', 'solved']),
  requesterName: z.string().nullable(),
  requesterEmail: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  sessionIds: z.array(z.string()),
});

const TicketDetail = TicketItem.extend({
  comments: z.array(
    z.object({
      id: z.string(),
      author: z.object({ id: z.string(), name: z.string() }),
      body: z.string(),
      createdAt: z.string(),
    }),
  ),
  sessions: z.array(
    z.object({
      id: z.string(),
      visitorName: z.string(),
      visitorEmail: z.string().nullable(),
      status: z.enum(['WAITING', 'ACTIVE', 'CLOSED']),
      startedAt: z.string(),
      closedAt: z.string().nullable(),
      linkedAt: z.string(),
      messages: z.array(TranscriptMessage),
    }),
  ),
});

type TicketRow = {
  id: string;
  subject: string;
  status: 'open' | 'pending' | 'solved';
  requester_name: string | null;
  requester_email: string | null;
  created_at: Date;
  updated_at: Date;
};

const toItem = (row: TicketRow, sessionIds: string[]) => ({
  id: row.id,
  subject: row.subject,
  status: row.status,
  requesterName: row.requester_name,
  requesterEmail: row.requester_email,
  createdAt: iso(row.created_at)!,
  updatedAt: iso(row.updated_at)!,
  sessionIds,
});

/** Helpdesk tickets: the list, and one ticket with its comments and its linked sessions' whole transcripts. Staff only. */
export function registerHelpdeskQueries(
  app: HttpServer,
  deps: { db: Kysely<ReadModels>; sessions: SessionLookup; versions: ChangeVersions },
): void {
  const { db, versions } = deps;
  const staff = requireStaff(deps.sessions);

  app.get(
    '/api/tickets',
    {
      schema: {
        tags: ['helpdesk'],
        querystring: z.strictObject({
          status: z.enum(['open', 'pending', 'solved']).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(200),
        }),
        response: { 200: z.object({ items: z.array(TicketItem) }) },
      },
      preHandler: staff,
    },
    async (request, reply) => {
      const { status, limit } = request.query;
      return withEtag(
        request,
        reply,
        `tickets.${status ?? 'all'}.${limit}.${await versions.of('helpdesk')}`,
        async () => {
          let query = db
            .selectFrom('helpdesk_tickets')
            .selectAll()
            .orderBy('updated_at', 'desc')
            .orderBy('id')
            .limit(limit);
          if (status) query = query.where('status', '=', status);
          const rows = await query.execute();
          const links = rows.length
            ? await db
                .selectFrom('helpdesk_ticket_sessions')
                .select(['ticket_id', 'session_id'])
                .where(
                  'ticket_id',
                  'in',
                  rows.map((r) => r.id),
                )
                .orderBy('linked_at')
                .execute()
            : [];
          return {
            items: rows.map((r) =>
              toItem(
                r,
                links.filter((l) => l.ticket_id === r.id).map((l) => l.session_id),
              ),
            ),
          };
        },
      );
    },
  );

  app.get(
    '/api/tickets/:id',
    {
      schema: {
        tags: ['helpdesk'],
        params: z.strictObject({ id: z.uuid() }),
        response: { 200: TicketDetail },
      },
      preHandler: staff,
    },
    async (request, reply) => {
      // The transcripts keep growing after the link: the livechat read model's changes count too.
      const version = `ticket.${await versions.of('helpdesk')}.${await versions.of('livechat')}.${await versions.of('users')}`;
      return withEtag(request, reply, version, async () => {
        const row = await db
          .selectFrom('helpdesk_tickets')
          .selectAll()
          .where('id', '=', request.params.id)
          .executeTakeFirst();
        if (!row) throw new NotFoundError('No such ticket');
        const comments = await db
          .selectFrom('helpdesk_ticket_comments as c')
          .leftJoin('users as u', 'u.id', 'c.author_id')
          .select(['c.id', 'c.author_id', 'u.name as author_name', 'c.body', 'c.created_at'])
          .where('c.ticket_id', '=', row.id)
          .orderBy('c.created_at')
          .orderBy('c.id')
          .execute();
        const linked = await db
          .selectFrom('helpdesk_ticket_sessions as l')
          .innerJoin('livechat_sessions as s', 's.id', 'l.session_id')
          .select([
            's.id',
            's.visitor_name',
            's.visitor_email',
            's.status',
            's.started_at',
            's.closed_at',
            'l.linked_at',
          ])
          .where('l.ticket_id', '=', row.id)
          .orderBy('l.linked_at')
          .execute();
        const transcripts = await readTranscripts(
          db,
          linked.map((s) => s.id),
        );
        return {
          ...toItem(
            row,
            linked.map((s) => s.id),
          ),
          comments: comments.map((c) => ({
            id: c.id,
            author: { id: c.author_id, name: c.author_name ?? 'Unknown' },
            body: c.body,
            createdAt: iso(c.created_at)!,
          })),
          sessions: linked.map((s) => ({
            id: s.id,
            visitorName: s.visitor_name,
            visitorEmail: s.visitor_email,
            status: s.status,
            startedAt: iso(s.started_at)!,
            closedAt: iso(s.closed_at),
            linkedAt: iso(s.linked_at)!,
            messages: transcripts.get(s.id) ?? [],
          })),
        };
      });
    },
  );
}
