import { randomUUID } from 'node:crypto';
import {
  catalogue,
  chainHash,
  GENESIS_HASH,
  REACTION_EMOJIS,
  type EventStore,
  type StoredEvent,
} from '@chat/events';
import { encryptPersonalData } from '@chat/events/personal-data/fields';
import type pg from 'pg';

const PER_TRANSACTION = 999;

/** Makes plausible domain events in a plausible order, each for its stream. */
function* history(count: number): Generator<{
  streamId: string;
  type: string;
  data: Record<string, unknown>;
  actor: string;
  command: string;
}> {
  let seed = 42;
  const random = () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const words =
    'the printer on floor two is offline again can someone check vpn drops every hour invoice copy please meeting moved to three thanks release notes are out'.split(
      ' ',
    );
  const sentence = () => Array.from({ length: 4 + Math.floor(random() * 14) }, () => pick(words)).join(' ');
  const users = Array.from({ length: 200 }, () => randomUUID());
  const agents = users.slice(0, 30);
  let made = 0;
  for (const [i, userId] of users.entries()) {
    made++;
    yield {
      streamId: `user-${userId}`,
      type: 'UserCreated',
      data: { userId, email: `user${i}@example.com`, name: `User ${i}`, role: i < 30 ? 'AGENT' : 'USER' },
      actor: 'seed',
      command: 'CreateUser',
    };
  }
  const articles = Array.from({ length: 20 }, (_, i) => ({
    articleId: randomUUID(),
    title: `How to ${pick(words)} ${i}`,
  }));
  for (const article of articles) {
    made++;
    yield {
      streamId: `article-${article.articleId}`,
      type: 'ArticlePublished',
      data: { ...article, body: sentence(), publishedBy: users[0] },
      actor: users[0]!,
      command: 'PublishArticle',
    };
  }
  const channels: { id: string; members: string[] }[] = [];
  for (let i = 0; i < 60; i++) {
    const id = randomUUID();
    const createdBy = pick(users);
    const name = `channel-${i}`;
    made += 2;
    yield {
      streamId: `channel-name-${name}`,
      type: 'ChannelNameReserved',
      data: { name, channelId: id },
      actor: createdBy,
      command: 'CreateChannel',
    };
    yield {
      streamId: `channel-${id}`,
      type: 'ChannelCreated',
      data: {
        channelId: id,
        name,
        visibility: i % 5 === 0 ? 'private' : 'public',
        description: null,
        createdBy,
      },
      actor: createdBy,
      command: 'CreateChannel',
    };
    channels.push({ id, members: [createdBy] });
  }
  const messages: {
    id: string;
    channelId: string;
    authorId: string;
    revision: number;
    deleted: boolean;
    reactions: Set<string>;
  }[] = [];
  const sessions: { id: string; agent: string | null; last: string | null; closed: boolean }[] = [];
  while (made < count) {
    const roll = random();
    const channel = pick(channels);
    if (roll < 0.05) {
      const userId = pick(users);
      if (channel.members.includes(userId)) continue;
      channel.members.push(userId);
      made++;
      yield {
        streamId: `channel-${channel.id}`,
        type: 'ChannelJoined',
        data: { channelId: channel.id, userId },
        actor: userId,
        command: 'JoinChannel',
      };
    } else if (roll < 0.45) {
      const authorId = pick(channel.members);
      const id = randomUUID();
      const quoted = messages.length > 0 && random() < 0.1 ? pick(messages) : null;
      messages.push({
        id,
        channelId: channel.id,
        authorId,
        revision: 0,
        deleted: false,
        reactions: new Set(),
      });
      if (messages.length > 5_000) messages.splice(0, 1_000);
      made++;
      yield {
        streamId: `message-${id}`,
        type: 'MessagePosted',
        data: {
          messageId: id,
          channelId: channel.id,
          authorId,
          body: sentence(),
          quotedMessageId: quoted && quoted.channelId === channel.id ? quoted.id : null,
          attachments: [],
        },
        actor: authorId,
        command: 'PostMessage',
      };
    } else if (roll < 0.6 && messages.length > 0) {
      const m = pick(messages);
      if (m.deleted) continue;
      const r = random();
      m.revision++;
      made++;
      if (r < 0.25)
        yield {
          streamId: `message-${m.id}`,
          type: 'MessageEdited',
          data: { messageId: m.id, channelId: m.channelId, authorId: m.authorId, body: sentence() },
          actor: m.authorId,
          command: 'EditMessage',
        };
      else if (r < 0.33) {
        m.deleted = true;
        yield {
          streamId: `message-${m.id}`,
          type: 'MessageDeleted',
          data: { messageId: m.id, channelId: m.channelId, deletedBy: m.authorId },
          actor: m.authorId,
          command: 'DeleteMessage',
        };
      } else {
        const userId = pick(users);
        const emoji = pick(REACTION_EMOJIS);
        const key = `${userId}${emoji}`;
        const removing = m.reactions.has(key);
        if (removing) m.reactions.delete(key);
        else m.reactions.add(key);
        yield {
          streamId: `message-${m.id}`,
          type: removing ? 'ReactionRemoved' : 'ReactionAdded',
          data: { messageId: m.id, channelId: m.channelId, userId, emoji },
          actor: userId,
          command: removing ? 'RemoveReaction' : 'ReactToMessage',
        };
      }
    } else if (roll < 0.75) {
      const userId = pick(channel.members);
      made++;
      yield {
        streamId: `channel-member-${channel.id}-${userId}`,
        type: 'ChannelReadMarked',
        data: { channelId: channel.id, userId, messageId: null },
        actor: userId,
        command: 'MarkChannelRead',
      };
    } else if (roll < 0.78 || sessions.length === 0) {
      const id = randomUUID();
      sessions.push({ id, agent: null, last: null, closed: false });
      if (sessions.length > 500) sessions.splice(0, 100);
      made++;
      yield {
        streamId: `session-${id}`,
        type: 'VisitorSessionStarted',
        data: {
          sessionId: id,
          visitorName: `Visitor ${made}`,
          visitorEmail: `v${made}@example.org`,
          widgetKey: 'demo',
        },
        actor: id,
        command: 'StartVisitorSession',
      };
    } else {
      const s = pick(sessions);
      if (s.closed) continue;
      const r = random();
      made++;
      if (r < 0.35) {
        s.last = randomUUID();
        yield {
          streamId: `session-${s.id}`,
          type: 'VisitorMessagePosted',
          data: { sessionId: s.id, messageId: s.last, body: sentence() },
          actor: s.id,
          command: 'PostVisitorMessage',
        };
      } else if (r < 0.45 && s.last && !s.agent) {
        const article = pick(articles);
        yield {
          streamId: `session-${s.id}`,
          type: 'ArticlesSuggested',
          data: { sessionId: s.id, suggestionId: randomUUID(), inReplyTo: s.last, articles: [article] },
          actor: 'kb-bot',
          command: 'SuggestArticles',
        };
      } else if (!s.agent) {
        s.agent = pick(agents);
        yield {
          streamId: `session-${s.id}`,
          type: 'AgentJoinedSession',
          data: { sessionId: s.id, agentId: s.agent },
          actor: s.agent,
          command: 'JoinSession',
        };
      } else if (r < 0.9) {
        yield {
          streamId: `session-${s.id}`,
          type: 'AgentMessagePosted',
          data: { sessionId: s.id, messageId: randomUUID(), agentId: s.agent, body: sentence() },
          actor: s.agent,
          command: 'PostAgentMessage',
        };
      } else {
        s.closed = true;
        yield {
          streamId: `session-${s.id}`,
          type: 'SessionClosed',
          data: { sessionId: s.id, by: 'agent', agentId: s.agent, resolution: 'closed' },
          actor: s.agent,
          command: 'CloseSession',
        };
      }
    }
  }
}

/**
 * Writes the history the way appends would (validated, personal fields encrypted, hash-chained
 * per stream), but 999 events per transaction across streams, with the same commit-ordered
 * positions, so that generating a million events takes a minute rather than an hour.
 */
export async function generate(store: EventStore, pool: pg.Pool, count: number): Promise<number> {
  const heads = new Map<string, { revision: number; hash: string }>();
  const recordedAt = Date.now() - count * 50;
  let batch: { streamId: string; revision: number; event: StoredEvent }[] = [];
  let written = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const values: string[] = [];
    const params: unknown[] = [];
    for (const [i, row] of batch.entries()) {
      const e = row.event;
      params.push(
        row.streamId,
        row.revision,
        e.id,
        e.type,
        e.version,
        JSON.stringify(e.data),
        JSON.stringify(e.metadata),
      );
      const b = params.length - 7;
      values.push(
        `(pg_current_xact_id()::text::bigint * 1000 + ${i + 1}, $${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}::jsonb, $${b + 7}::jsonb)`,
      );
    }
    await pool.query(
      `INSERT INTO events (position, stream_id, revision, event_id, type, version, data, metadata) VALUES ${values.join(', ')}`,
      params,
    );
    written += batch.length;
    batch = [];
  };
  for (const next of history(count)) {
    const { version, data } = catalogue.validate(next.type, next.data);
    const head = heads.get(next.streamId);
    const revision = head ? head.revision + 1 : 0;
    const actorKind =
      next.actor === 'seed' || next.actor === 'kb-bot'
        ? 'system'
        : next.command.startsWith('StartVisitor') || next.command === 'PostVisitorMessage'
          ? 'visitor'
          : 'user';
    const unsealed = {
      id: randomUUID(),
      type: next.type,
      version,
      data: await encryptPersonalData(catalogue, store.vault, next.type, data),
      metadata: {
        actor: { kind: actorKind, id: next.actor } as const,
        correlationId: randomUUID(),
        causationId: null,
        command: next.command,
        recordedAt: new Date(recordedAt + written * 50 + batch.length * 50).toISOString(),
      },
    };
    const hash = chainHash(head?.hash ?? GENESIS_HASH, unsealed);
    heads.set(next.streamId, { revision, hash });
    batch.push({
      streamId: next.streamId,
      revision,
      event: { ...unsealed, metadata: { ...unsealed.metadata, hash } },
    });
    if (batch.length === PER_TRANSACTION) await flush();
  }
  await flush();
  return written;
}
