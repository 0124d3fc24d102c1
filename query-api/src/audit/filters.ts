import type { EventFilter } from '@chat/events';
import { ValidationError } from '@chat/platform';
import { z } from 'zod';

const Decimal = z.string().regex(/^\d{1,20}$/, 'a decimal position');
const Time = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'an ISO 8601 time');
const list = z.string().max(2_000);

/** The filters of the event browser and the export (query string). */
export const EventFilterQuery = {
  stream: z.string().max(200).optional().describe('a stream id, or a prefix ending in * ("channel-*")'),
  type: list.optional().describe('event types, comma separated'),
  excludeType: list.optional().describe('event types to leave out, comma separated'),
  actor: z.string().max(100).optional().describe('user id, visitor session id or system name'),
  correlationId: z.string().max(100).optional(),
  channelId: z.uuid().optional().describe('events about this channel (its stream, messages, read marks)'),
  sessionId: z.uuid().optional().describe('events about this Live chat session'),
  from: Time.optional().describe('recorded at or after'),
  to: Time.optional().describe('recorded before'),
};

export const EventBrowserQuery = z.strictObject({
  ...EventFilterQuery,
  after: Decimal.optional().describe('cursor: the position of the last event of the previous page'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  order: z.enum(['asc', 'desc']).default('desc'),
});

export const ExportQuery = z.strictObject({
  ...EventFilterQuery,
  after: Decimal.optional().describe('export events after this position (to resume)'),
  form: z
    .enum(['open', 'stored'])
    .default('open')
    .describe('open: decrypted; stored: as stored and hashed, to re-verify elsewhere'),
});

type FilterQuery = { [K in keyof typeof EventFilterQuery]?: string };

const csv = (value: string) =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export function toEventFilter(query: FilterQuery): EventFilter {
  const filter: EventFilter = {};
  if (query.stream) {
    if (query.stream.endsWith('*')) filter.streamPrefix = query.stream.slice(0, -1);
    else filter.streamId = query.stream;
  }
  if (query.type) filter.types = csv(query.type);
  if (query.excludeType) filter.excludeTypes = csv(query.excludeType);
  if (query.actor) filter.actorId = query.actor;
  if (query.correlationId) filter.correlationId = query.correlationId;
  if (query.channelId) filter.channelId = query.channelId;
  if (query.sessionId) filter.sessionId = query.sessionId;
  if (query.from) filter.from = query.from;
  if (query.to) filter.to = query.to;
  if (filter.from && filter.to && Date.parse(filter.from) > Date.parse(filter.to))
    throw new ValidationError('"from" must not be after "to"', [
      { field: 'querystring.from', message: 'after "to"' },
    ]);
  return filter;
}

export const CutQuery = z
  .strictObject({
    position: Decimal.optional().describe('fold the events at or before this position'),
    time: Time.optional().describe('fold the events recorded at or before this time'),
  })
  .refine((q) => !(q.position && q.time), { message: 'give a position or a time, not both' });
