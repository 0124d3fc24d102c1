import { ERASED, MAX_SUGGESTIONS, suggestionIdFor, type RecordedEvent } from '@chat/events';
import { AppError } from '@chat/platform/errors';
import type { Logger } from '@chat/platform/logger';
import type { Kysely } from 'kysely';
import type { ReadModels } from '../read-models';
import { readCheckpoint } from '../runtime/checkpoints';
import type { Reactor } from '../runtime/types';
import { knowledgeBaseProjector } from './articles';
import { matchArticles } from './search';

/** Issues a command as the system, caused by a recorded event (the bot gets this, not the bus). */
export type IssueCommand = (
  name: string,
  body: unknown,
  cause: { correlationId: string; causationId: string },
) => Promise<unknown>;

const KB_WAIT_MS = 5_000;
const SESSION_CACHE_MAX = 20_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class KnowledgeBaseBehind extends Error {}

/**
 * The knowledge-base bot: when a visitor writes, it searches the articles with their words and
 * suggests up to three good matches. It acts through one idempotent command whose id is derived
 * from the visitor's message, and the session's rules decide at the stream's exact revision
 * whether it may still speak (never once an agent joined, never twice for a message). A crash
 * between acting and recording the checkpoint repeats the same command, which then does nothing.
 */
export function createKnowledgeBaseBot(deps: {
  db: Kysely<ReadModels>;
  issue: IssueCommand;
  logger: Logger;
}): Reactor {
  /** The bot searches the knowledge base as it was when the visitor wrote (or later), never earlier. */
  let knowledgeBaseAt = -1n;
  const knowledgeBaseReached = async (position: bigint): Promise<void> => {
    const deadline = Date.now() + KB_WAIT_MS;
    while (knowledgeBaseAt < position) {
      knowledgeBaseAt = await readCheckpoint(deps.db, knowledgeBaseProjector.name);
      if (knowledgeBaseAt >= position) return;
      if (Date.now() > deadline)
        throw new KnowledgeBaseBehind(`the knowledge base has not reached position ${position} yet`);
      await sleep(20);
    }
  };

  /**
   * What each session will still take from the bot, as its last answers said: nothing once an
   * agent joined or it closed, and no article twice. Only spares asking in vain; the session's
   * rules decide either way, so a cold cache (after a restart) changes nothing.
   */
  const sessions = new Map<string, { silenced: boolean; articles: Set<string> }>();
  const remember = (sessionId: string, answer: unknown) => {
    const { silenced, suggestedArticles } = (answer ?? {}) as {
      silenced?: unknown;
      suggestedArticles?: unknown;
    };
    if (typeof silenced !== 'boolean' || !Array.isArray(suggestedArticles)) return;
    if (sessions.size >= SESSION_CACHE_MAX) sessions.clear();
    sessions.set(sessionId, {
      silenced,
      articles: new Set(suggestedArticles.filter((a) => typeof a === 'string')),
    });
  };

  return {
    name: 'kb-bot',
    handles: ['VisitorMessagePosted'],
    // Sessions are answered side by side; each session's messages in order.
    lane: (event) => (event.data as { sessionId: string }).sessionId,
    async react(event: RecordedEvent) {
      const { sessionId, messageId, body } = event.data as {
        sessionId: string;
        messageId: string;
        body: string;
      };
      if (typeof body !== 'string' || body === ERASED) return;
      const known = sessions.get(sessionId);
      if (known?.silenced) return;
      await knowledgeBaseReached(event.position);
      const hits = await matchArticles(deps.db, body, { limit: MAX_SUGGESTIONS });
      if (hits.every((h) => known?.articles.has(h.id))) return;
      try {
        const answer = await deps.issue(
          'SuggestArticles',
          {
            sessionId,
            suggestionId: suggestionIdFor(sessionId, messageId),
            inReplyTo: messageId,
            articles: hits.map((h) => ({ articleId: h.id, title: h.title })),
          },
          { correlationId: event.metadata.correlationId, causationId: event.id },
        );
        remember(sessionId, answer);
      } catch (error) {
        // A refusal is an answer (the session is gone or the rules say no); a conflict or an outage is retried.
        if (error instanceof AppError && error.status < 500 && error.status !== 409) {
          deps.logger.warn(
            { err: error, sessionId, messageId },
            'the knowledge-base bot could not suggest articles',
          );
          return;
        }
        throw error;
      }
    },
  };
}
