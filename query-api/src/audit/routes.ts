import { Readable } from 'node:stream';
import {
  CheckpointSigner,
  PostgresEventStoreAdapter,
  ScanningAuditLog,
  SqlAuditLog,
  verifyLog,
  verifyStream,
  type AuditLog,
  type Cut,
} from '@chat/events';
import { masterKey, type HttpServer, type Platform } from '@chat/platform';
import type { ReadModels } from '@chat/projections';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { ChannelAsOfAnswer, channelView, SessionAsOfAnswer, sessionView } from './conversations';
import { exportNdjson } from './export';
import { CutQuery, EventBrowserQuery, ExportQuery, toEventFilter } from './filters';
import { guardAuditRoutes } from './guard';
import { bigintsToStrings, toWireEvent, WireEvent } from './wire';

const tags = ['audit'];
const Decimal = z.string().regex(/^\d{1,20}$/);
const EventPage = z.object({ items: z.array(WireEvent), cursor: z.string().optional() });

/** The audit log fitting the event store: SQL over its table when it is PostgreSQL or PGlite. */
export async function openAuditLog(platform: Platform): Promise<AuditLog> {
  if (!(platform.store.adapter instanceof PostgresEventStoreAdapter))
    return new ScanningAuditLog(platform.store);
  const log = new SqlAuditLog(platform.database.pool);
  await log.migrate();
  return log;
}

const toCut = (query: { position?: string; time?: string }): Cut =>
  query.position ? { position: BigInt(query.position) } : query.time ? { time: query.time } : 'now';

/**
 * `/api/audit/*`: the event history for auditors (AUDITOR, SUPER_ADMIN), read from the event
 * store itself (decrypted: auditors see what was written, deleted messages included), never
 * from the read models. Every read is itself recorded (AuditQueryPerformed).
 */
export async function registerAuditQueries(app: HttpServer, platform: Platform): Promise<void> {
  const store = platform.store;
  const log = await openAuditLog(platform);
  const db = platform.database.db as Kysely<ReadModels>;
  const signer = new CheckpointSigner(masterKey(platform.config));

  await app.register(async (audit: HttpServer) => {
    guardAuditRoutes(audit, { sessions: platform.sessions, store });

    audit.get(
      '/api/audit/events',
      {
        schema: {
          tags,
          summary: 'Browse the global log, filtered, newest or oldest first',
          querystring: EventBrowserQuery,
          response: { 200: EventPage },
        },
      },
      async (request) => {
        const { after, limit, order, ...filters } = request.query;
        const page = await log.page(toEventFilter(filters), {
          order,
          limit,
          cursor: after ? BigInt(after) : undefined,
        });
        const items = (await store.open(page)).map(toWireEvent);
        return {
          items,
          ...(page.length === limit ? { cursor: page[page.length - 1]!.position.toString() } : {}),
        };
      },
    );

    audit.get(
      '/api/audit/streams/:streamId',
      {
        schema: {
          tags,
          summary: "One stream's whole history",
          params: z.object({ streamId: z.string().min(1).max(200) }),
          response: { 200: z.object({ streamId: z.string(), items: z.array(WireEvent) }) },
        },
      },
      async (request) => {
        const events = await store.readStream(request.params.streamId);
        return { streamId: request.params.streamId, items: events.map(toWireEvent) };
      },
    );

    audit.get(
      '/api/audit/export',
      {
        schema: {
          tags,
          summary: 'The filtered log as NDJSON (streamed), oldest first',
          querystring: ExportQuery,
        },
      },
      async (request, reply) => {
        const { after, form, ...filters } = request.query;
        const lines = exportNdjson(store, log, toEventFilter(filters), {
          after: after ? BigInt(after) : undefined,
          form,
        });
        reply.header('content-type', 'application/x-ndjson; charset=utf-8');
        reply.header(
          'content-disposition',
          `attachment; filename="audit-export-${new Date().toISOString().replaceAll(':', '')}.ndjson"`,
        );
        return reply.send(Readable.from(lines));
      },
    );

    audit.get(
      '/api/audit/channels/:channelId/as-of',
      {
        schema: {
          tags,
          summary:
            'A Team chat conversation as it read at a position or time (folded with the channel and message aggregates)',
          params: z.object({ channelId: z.uuid() }),
          querystring: CutQuery,
          response: { 200: ChannelAsOfAnswer },
        },
      },
      async (request) => channelView({ store, log, db }, request.params.channelId, toCut(request.query)),
    );

    audit.get(
      '/api/audit/sessions/:sessionId/as-of',
      {
        schema: {
          tags,
          summary:
            'A Live chat session as it stood at a position or time (folded with the session aggregate)',
          params: z.object({ sessionId: z.uuid() }),
          querystring: CutQuery,
          response: { 200: SessionAsOfAnswer },
        },
      },
      async (request) => sessionView({ store, log, db }, request.params.sessionId, toCut(request.query)),
    );

    audit.get(
      '/api/audit/actors/:actorId/commands',
      {
        schema: {
          tags,
          summary:
            'Who did what: every command of a user (or visitor session), with everything each one caused',
          params: z.object({ actorId: z.string().min(1).max(100) }),
          querystring: z.strictObject({
            before: Decimal.optional(),
            limit: z.coerce.number().int().min(1).max(100).default(20),
          }),
          response: {
            200: z.object({
              actor: z.object({ id: z.string(), name: z.string().nullable() }),
              items: z.array(
                z.object({
                  correlationId: z.string(),
                  command: z.string(),
                  position: z.string(),
                  recordedAt: z.string(),
                  events: z.array(WireEvent.extend({ byActor: z.boolean() })),
                }),
              ),
              cursor: z.string().optional(),
            }),
          },
        },
      },
      async (request) => {
        const { actorId } = request.params;
        const { before, limit } = request.query;
        const correlations = await log.correlationsOf(actorId, {
          before: before ? BigInt(before) : undefined,
          limit,
        });
        const events = await store.open(await log.byCorrelation(correlations.map((c) => c.correlationId)));
        const user = await db
          .selectFrom('users')
          .select(['name'])
          .where('id', '=', actorId)
          .executeTakeFirst()
          .catch(() => undefined);
        const items = correlations.map(({ correlationId, position }) => {
          const caused = events.filter((e) => e.metadata.correlationId === correlationId);
          const own = caused.find((e) => e.metadata.actor.id === actorId) ?? caused[0];
          return {
            correlationId,
            command: own?.metadata.command ?? 'unknown',
            position: position.toString(),
            recordedAt: own?.metadata.recordedAt ?? '',
            events: caused.map((e) => ({ ...toWireEvent(e), byActor: e.metadata.actor.id === actorId })),
          };
        });
        return {
          actor: { id: actorId, name: user?.name ?? null },
          items,
          ...(correlations.length === limit
            ? { cursor: correlations[correlations.length - 1]!.position.toString() }
            : {}),
        };
      },
    );

    audit.get(
      '/api/audit/verify',
      {
        schema: {
          tags,
          summary:
            'Recompute hash chains (one stream, or the whole log) and check them against the signed checkpoints',
          querystring: z.strictObject({ stream: z.string().min(1).max(200).optional() }),
        },
      },
      async (request) => {
        const result = request.query.stream
          ? await verifyStream(store, signer, request.query.stream)
          : await verifyLog(store, signer);
        return bigintsToStrings({ scope: request.query.stream ? 'stream' : 'log', ...result });
      },
    );
  });
}
