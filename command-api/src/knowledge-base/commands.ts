import {
  ARTICLE_BODY_MAX,
  ARTICLE_TITLE_MAX,
  articleStream,
  evolveArticle,
  initialArticleState,
  text,
} from '@chat/events';
import { z } from 'zod';
import { decideAndAppend } from '../commands/decide-and-append';
import { defineCommand, roles, userIdOf, type CommandContext } from '../commands/define';
import { decideArticle, type ArticleCommand } from './decide';

const articleAggregate = { initialState: initialArticleState, evolve: evolveArticle };
const editors = roles('SUPER_ADMIN', 'ADMIN', 'MANAGER');
const title = text(1, ARTICLE_TITLE_MAX);
const body = text(1, ARTICLE_BODY_MAX);

function decide(context: CommandContext, articleId: string, command: ArticleCommand) {
  return decideAndAppend(context, {
    streamId: articleStream(articleId),
    aggregate: articleAggregate,
    decide: (state) => decideArticle(command, state),
  });
}

export const publishArticle = defineCommand({
  name: 'PublishArticle',
  summary: 'Publish a knowledge-base article (ADMIN, MANAGER)',
  body: z.strictObject({ articleId: z.uuid(), title, body }),
  allow: editors,
  handle: async (context, input) => {
    const { position } = await decide(context, input.articleId, {
      type: 'PublishArticle',
      ...input,
      by: userIdOf(context.issuer),
    });
    return { position, articleId: input.articleId };
  },
});

export const updateArticle = defineCommand({
  name: 'UpdateArticle',
  summary: "Change an article's title or body (ADMIN, MANAGER)",
  body: z
    .strictObject({ articleId: z.uuid(), title: title.optional(), body: body.optional() })
    .refine((b) => b.title !== undefined || b.body !== undefined, {
      message: 'give a title or a body',
      path: ['title'],
    }),
  allow: editors,
  handle: async (context, input) => {
    const { position } = await decide(context, input.articleId, {
      type: 'UpdateArticle',
      ...input,
      by: userIdOf(context.issuer),
    });
    return { position };
  },
});

export const archiveArticle = defineCommand({
  name: 'ArchiveArticle',
  summary: 'Archive an article: no longer found, shown or suggested (ADMIN, MANAGER)',
  body: z.strictObject({ articleId: z.uuid() }),
  allow: editors,
  handle: async (context, input) => {
    const { position } = await decide(context, input.articleId, {
      type: 'ArchiveArticle',
      ...input,
      by: userIdOf(context.issuer),
    });
    return { position };
  },
});

export const knowledgeBaseCommands = [publishArticle, updateArticle, archiveArticle];
