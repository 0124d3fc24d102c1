import {
  channelAsOf,
  channelStream,
  chatSessionStream,
  isWithin,
  sessionAsOf,
  type AuditLog,
  type Cut,
  type EventStore,
  type RecordedEvent,
  type StoredRecord,
} from '@chat/events';
import type { ReadModels } from '@chat/projections';
import { NotFoundError } from '@chat/platform';
import type { Kysely } from 'kysely';
import { z } from 'zod';

export interface ConversationDeps {
  store: EventStore;
  log: AuditLog;
  db: Kysely<ReadModels>;
}

const Person = z.object({ id: z.string(), name: z.string() });
const TimelineEntry = z.object({
  position: z.string(),
  type: z.string(),
  streamId: z.string(),
  recordedAt: z.string(),
  actorId: z.string(),
});

export const ChannelAsOfAnswer = z.object({
  channelId: z.string(),
  /** The position of the last event folded (null: nothing yet at that point). */
  reflects: z.string().nullable(),
  channel: z.object({
    status: z.enum(['absent', 'active', 'deleted']),
    kind: z.enum(['public', 'private', 'dm']).nullable(),
    name: z.string().nullable(),
    members: z.array(Person.extend({ role: z.enum(['ADMIN', 'MEMBER']) })),
  }),
  messages: z.array(
    z.object({
      id: z.string(),
      author: Person,
      status: z.enum(['posted', 'deleted']),
      body: z.string(),
      bodyBeforeDeletion: z.string().nullable(),
      postedAt: z.string(),
      editedAt: z.string().nullable(),
      deletedAt: z.string().nullable(),
      quotedMessageId: z.string().nullable(),
      attachments: z.array(
        z.object({ id: z.string(), name: z.string(), size: z.number(), contentType: z.string() }),
      ),
      reactions: z.array(z.object({ emoji: z.string(), users: z.array(Person) })),
    }),
  ),
  timeline: z.array(TimelineEntry),
});

export const SessionAsOfAnswer = z.object({
  sessionId: z.string(),
  reflects: z.string().nullable(),
  session: z.object({
    status: z.enum(['absent', 'WAITING', 'ACTIVE', 'CLOSED']),
    visitorName: z.string().nullable(),
    visitorEmail: z.string().nullable(),
    widgetKey: z.string().nullable(),
    assignee: Person.nullable(),
    agentJoined: z.boolean(),
    ticketId: z.string().nullable(),
    resolution: z.string().nullable(),
    suggestedArticleIds: z.array(z.string()),
    messages: z.array(
      z.object({
        id: z.string(),
        from: z.enum(['visitor', 'agent']),
        author: Person.nullable(),
        body: z.string(),
        at: z.string().nullable(),
      }),
    ),
  }),
  timeline: z.array(TimelineEntry),
});

async function allPages(log: AuditLog, filter: Parameters<AuditLog['page']>[0]): Promise<StoredRecord[]> {
  const found: StoredRecord[] = [];
  for (let cursor: bigint | undefined; ;) {
    const page = await log.page(filter, { order: 'asc', cursor, limit: 2_000 });
    found.push(...page);
    if (page.length < 2_000) return found;
    cursor = page[page.length - 1]!.position;
  }
}

async function names(
  db: Kysely<ReadModels>,
  ids: Iterable<string>,
): Promise<(id: string) => { id: string; name: string }> {
  const wanted = [...new Set(ids)];
  const rows =
    wanted.length > 0
      ? await db.selectFrom('users').select(['id', 'name']).where('id', 'in', wanted).execute()
      : [];
  const byId = new Map(rows.map((r) => [r.id, r.name]));
  return (id) => ({ id, name: byId.get(id) ?? 'Unknown user' });
}

const timelineOf = (events: RecordedEvent[]) =>
  events.map((e) => ({
    position: e.position.toString(),
    type: e.type,
    streamId: e.streamId,
    recordedAt: e.metadata.recordedAt,
    actorId: e.metadata.actor.id,
  }));

const reflected = (events: RecordedEvent[], cut: Cut) => {
  const within = events.filter((e) => isWithin(e, cut));
  return within.length > 0 ? within[within.length - 1]!.position.toString() : null;
};

/** A Team chat conversation as it read at a point in history, for auditors (every channel, private or not). */
export async function channelView(
  deps: ConversationDeps,
  channelId: string,
  cut: Cut,
): Promise<z.infer<typeof ChannelAsOfAnswer>> {
  const [channelEvents, messageEvents] = await Promise.all([
    deps.store.readStream(channelStream(channelId)),
    allPages(deps.log, { channelId, streamPrefix: 'message-' }).then((records) => deps.store.open(records)),
  ]);
  if (channelEvents.length === 0) throw new NotFoundError('No such channel');
  const view = channelAsOf(channelEvents, messageEvents, cut);
  const posted = new Map(
    messageEvents.filter((e) => e.type === 'MessagePosted').map((e) => [e.streamId, e.data]),
  );
  const members = view.channel.status === 'absent' ? {} : view.channel.members;
  const name = await names(deps.db, [
    ...Object.keys(members),
    ...view.messages.flatMap((m) => [m.state.authorId, ...Object.values(m.state.reactions).flat()]),
  ]);
  const all = [...channelEvents, ...messageEvents].sort((a, b) => (a.position < b.position ? -1 : 1));
  return {
    channelId,
    reflects: reflected(all, cut),
    channel: {
      status: view.channel.status,
      kind: view.channel.status === 'absent' ? null : view.channel.kind,
      name: view.channel.status === 'absent' ? null : view.channel.name,
      members: Object.entries(members).map(([userId, role]) => ({ ...name(userId), role })),
    },
    messages: view.messages.map((m) => {
      const data = (posted.get(`message-${m.messageId}`) ?? {}) as {
        quotedMessageId?: string | null;
        attachments?: { id: string; name: string; size: number; contentType: string }[];
      };
      return {
        id: m.messageId,
        author: name(m.state.authorId),
        status: m.state.status,
        body: m.state.body,
        bodyBeforeDeletion: m.bodyBeforeDeletion,
        postedAt: m.postedAt,
        editedAt: m.editedAt,
        deletedAt: m.deletedAt,
        quotedMessageId: data.quotedMessageId ?? null,
        attachments: (data.attachments ?? []).map(({ id, name: fileName, size, contentType }) => ({
          id,
          name: fileName,
          size,
          contentType,
        })),
        reactions: Object.entries(m.state.reactions).map(([emoji, userIds]) => ({
          emoji,
          users: userIds.map(name),
        })),
      };
    }),
    timeline: timelineOf(all),
  };
}

/** A Live chat session as it stood at a point in history. */
export async function sessionView(
  deps: ConversationDeps,
  sessionId: string,
  cut: Cut,
): Promise<z.infer<typeof SessionAsOfAnswer>> {
  const events = await deps.store.readStream(chatSessionStream(sessionId));
  if (events.length === 0) throw new NotFoundError('No such session');
  const { session, messageTimes } = sessionAsOf(events, cut);
  const present = session.status === 'absent' ? null : session;
  const messages = present ? [...present.messages] : [];
  const name = await names(deps.db, [
    ...(present?.assigneeId ? [present.assigneeId] : []),
    ...messages.flatMap(([, m]) => (m.authorId ? [m.authorId] : [])),
  ]);
  return {
    sessionId,
    reflects: reflected(events, cut),
    session: {
      status: session.status,
      visitorName: present?.visitorName ?? null,
      visitorEmail: present?.visitorEmail ?? null,
      widgetKey: present?.widgetKey ?? null,
      assignee: present?.assigneeId ? name(present.assigneeId) : null,
      agentJoined: present?.agentJoined ?? false,
      ticketId: present?.ticketId ?? null,
      resolution: present?.resolution ?? null,
      suggestedArticleIds: present ? [...present.suggestedArticles] : [],
      messages: messages.map(([id, m]) => ({
        id,
        from: m.from,
        author: m.authorId ? name(m.authorId) : null,
        body: m.body,
        at: messageTimes.get(id) ?? null,
      })),
    },
    timeline: timelineOf(events),
  };
}
