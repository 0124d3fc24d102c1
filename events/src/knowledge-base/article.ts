import { z } from 'zod';
import { defineEvent, type EventOf } from '../catalogue/define';
import { text } from '../text';

/** A knowledge-base article: published, edited, archived. Articles hold no personal data. */
export const articleStream = (articleId: string) => `article-${articleId}`;

export const ARTICLE_TITLE_MAX = 200;
export const ARTICLE_BODY_MAX = 20_000;

export const ArticlePublished = defineEvent({
  type: 'ArticlePublished',
  version: 1,
  schema: z.object({
    articleId: z.uuid(),
    title: text(1, ARTICLE_TITLE_MAX),
    body: text(1, ARTICLE_BODY_MAX),
    publishedBy: z.uuid(),
  }),
});

/** Only the fields that changed. */
export const ArticleUpdated = defineEvent({
  type: 'ArticleUpdated',
  version: 1,
  schema: z.object({
    articleId: z.uuid(),
    title: text(1, ARTICLE_TITLE_MAX).optional(),
    body: text(1, ARTICLE_BODY_MAX).optional(),
    updatedBy: z.uuid(),
  }),
});

export const ArticleArchived = defineEvent({
  type: 'ArticleArchived',
  version: 1,
  schema: z.object({ articleId: z.uuid(), archivedBy: z.uuid() }),
});

export const knowledgeBaseEvents = [ArticlePublished, ArticleUpdated, ArticleArchived];
export type ArticleEvent =
  EventOf<typeof ArticlePublished> | EventOf<typeof ArticleUpdated> | EventOf<typeof ArticleArchived>;

export type ArticleState =
  { status: 'absent' } | { status: 'published' | 'archived'; articleId: string; title: string; body: string };

export const initialArticleState: ArticleState = { status: 'absent' };

export function evolveArticle(state: ArticleState, event: ArticleEvent): ArticleState {
  switch (event.type) {
    case 'ArticlePublished':
      return {
        status: 'published',
        articleId: event.data.articleId,
        title: event.data.title,
        body: event.data.body,
      };
    case 'ArticleUpdated':
      return state.status === 'absent'
        ? state
        : { ...state, title: event.data.title ?? state.title, body: event.data.body ?? state.body };
    case 'ArticleArchived':
      return state.status === 'absent' ? state : { ...state, status: 'archived' };
    default:
      return state;
  }
}
