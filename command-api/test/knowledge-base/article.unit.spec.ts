import { evolveArticle, initialArticleState, type ArticleEvent } from '@chat/events';
import { describe, it } from 'vitest';
import { decideArticle } from '../../src/knowledge-base/decide';
import { given as givenEvents } from '../../src/testing/decider-spec';

const articles = { initialState: initialArticleState, evolve: evolveArticle };
const given = (_aggregate: typeof articles, history: ArticleEvent[] = []) => givenEvents(articles, history);
const articleId = '00000000-0000-4000-a000-000000000001';
const morgan = '00000000-0000-4000-a000-0000000000a1';
const published: ArticleEvent = {
  type: 'ArticlePublished',
  data: { articleId, title: 'VPN', body: 'Install the client', publishedBy: morgan },
};
const archived: ArticleEvent = { type: 'ArticleArchived', data: { articleId, archivedBy: morgan } };

describe('a knowledge-base article', () => {
  it('is published; publishing the same again is a retry, something else under its id a conflict', () => {
    given(articles)
      .when((s) =>
        decideArticle(
          { type: 'PublishArticle', articleId, title: 'VPN', body: 'Install the client', by: morgan },
          s,
        ),
      )
      .then([published]);
    given(articles, [published])
      .when((s) =>
        decideArticle(
          { type: 'PublishArticle', articleId, title: 'VPN', body: 'Install the client', by: morgan },
          s,
        ),
      )
      .then([]);
    given(articles, [published])
      .when((s) =>
        decideArticle({ type: 'PublishArticle', articleId, title: 'Other', body: 'x', by: morgan }, s),
      )
      .thenThrows('ARTICLE_EXISTS', 409);
  });
  it('updates only what changed, and nothing when nothing did', () => {
    given(articles, [published])
      .when((s) =>
        decideArticle(
          { type: 'UpdateArticle', articleId, title: 'VPN', body: 'Install the new client', by: morgan },
          s,
        ),
      )
      .then([
        { type: 'ArticleUpdated', data: { articleId, body: 'Install the new client', updatedBy: morgan } },
      ]);
    given(articles, [published])
      .when((s) => decideArticle({ type: 'UpdateArticle', articleId, title: 'VPN', by: morgan }, s))
      .then([]);
  });
  it('is archived once; an archived article is not edited but may be published again', () => {
    given(articles, [published])
      .when((s) => decideArticle({ type: 'ArchiveArticle', articleId, by: morgan }, s))
      .then([archived]);
    given(articles, [published, archived])
      .when((s) => decideArticle({ type: 'ArchiveArticle', articleId, by: morgan }, s))
      .then([]);
    given(articles, [published, archived])
      .when((s) => decideArticle({ type: 'UpdateArticle', articleId, title: 'New', by: morgan }, s))
      .thenThrows('ARTICLE_ARCHIVED', 409);
    given(articles, [published, archived])
      .when((s) =>
        decideArticle(
          { type: 'PublishArticle', articleId, title: 'VPN', body: 'Install the client', by: morgan },
          s,
        ),
      )
      .then([published]);
  });
  it('an unknown article is not found', () =>
    given(articles)
      .when((s) => decideArticle({ type: 'UpdateArticle', articleId, title: 'x', by: morgan }, s))
      .thenThrows('NOT_FOUND', 404));
});
