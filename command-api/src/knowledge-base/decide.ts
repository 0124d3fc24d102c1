import type { ArticleEvent, ArticleState } from '@chat/events';
import { ConflictError, NotFoundError } from '@chat/platform';

export type ArticleCommand =
  | { type: 'PublishArticle'; articleId: string; title: string; body: string; by: string }
  | { type: 'UpdateArticle'; articleId: string; title?: string; body?: string; by: string }
  | { type: 'ArchiveArticle'; articleId: string; by: string };

/** The rules of a knowledge-base article. Pure: state and command in, events out. */
export function decideArticle(command: ArticleCommand, state: ArticleState): ArticleEvent[] {
  const { articleId } = command;
  switch (command.type) {
    case 'PublishArticle': {
      if (state.status === 'published') {
        if (state.title === command.title && state.body === command.body) return [];
        throw new ConflictError(
          'ARTICLE_EXISTS',
          'An article with this id is already published; update it instead',
        );
      }
      // A new article, or an archived one published again.
      return [
        {
          type: 'ArticlePublished',
          data: { articleId, title: command.title, body: command.body, publishedBy: command.by },
        },
      ];
    }
    case 'UpdateArticle': {
      if (state.status === 'absent') throw new NotFoundError('No such article');
      if (state.status === 'archived')
        throw new ConflictError(
          'ARTICLE_ARCHIVED',
          'This article is archived; publish it again to change it',
        );
      const title = command.title !== undefined && command.title !== state.title ? command.title : undefined;
      const body = command.body !== undefined && command.body !== state.body ? command.body : undefined;
      if (title === undefined && body === undefined) return [];
      return [
        {
          type: 'ArticleUpdated',
          data: {
            articleId,
            ...(title !== undefined ? { title } : {}),
            ...(body !== undefined ? { body } : {}),
            updatedBy: command.by,
          },
        },
      ];
    }
    case 'ArchiveArticle': {
      if (state.status === 'absent') throw new NotFoundError('No such article');
      if (state.status === 'archived') return [];
      return [{ type: 'ArticleArchived', data: { articleId, archivedBy: command.by } }];
    }
  }
}
