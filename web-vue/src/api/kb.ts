import { command, get, qs, type CommandAnswer, type QueryOptions } from './http';
import type { Article, ArticleDetail, ListAnswer } from './types';

/** GET /api/kb/articles?q= */
export function listArticles(q: string, options: QueryOptions = {}): Promise<ListAnswer<Article>> {
  return get(`/api/kb/articles${qs({ q: q.trim() })}`, options);
}

/** GET /api/kb/articles/{id} */
export function getArticle(articleId: string, options: QueryOptions = {}): Promise<ArticleDetail> {
  return get(`/api/kb/articles/${encodeURIComponent(articleId)}`, options);
}

export function publishArticle(body: {
  articleId: string;
  title: string;
  body: string;
}): Promise<CommandAnswer> {
  return command('PublishArticle', body);
}

export function updateArticle(body: {
  articleId: string;
  title?: string;
  body?: string;
}): Promise<CommandAnswer> {
  return command('UpdateArticle', body);
}
