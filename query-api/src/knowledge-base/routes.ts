import { matchArticles, searchArticles, type ReadModels } from '@chat/projections';
import { NotFoundError, type HttpServer, type SessionLookup } from '@chat/platform';
import type { WidgetOrigins } from '@chat/platform/live-chat/widget-sites';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { ChangeVersions } from '../change-versions';
import { withEtag } from '../etag';
import { iso, requireStaff } from '../live-chat/staff';

const ArticleItem = z.object({
  id: z.string(),
  title: z.string(),
  snippet: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  rank: z.number().optional(),
});
const ArticleDetail = z.object({
  id: z.string(),
  title: z.string(),
  body: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const snippet = (body: string) => (body.length <= 200 ? body : `${body.slice(0, 199).trimEnd()}…`);

/** Knowledge-base articles: ranked search for staff; one published article for anyone (visitors open the bot's suggestions). */
export function registerKnowledgeBaseQueries(
  app: HttpServer,
  deps: { db: Kysely<ReadModels>; sessions: SessionLookup; versions: ChangeVersions; origins: WidgetOrigins },
): void {
  const { db, versions } = deps;

  app.get(
    '/api/kb/articles',
    {
      schema: {
        tags: ['knowledge base'],
        summary: 'Published articles; with q, ranked full-text search (English stemming, title above body)',
        querystring: z.strictObject({
          q: z.string().max(200).optional(),
          limit: z.coerce.number().int().min(1).max(100).default(50),
        }),
        response: { 200: z.object({ items: z.array(ArticleItem) }) },
      },
      preHandler: requireStaff(deps.sessions),
    },
    async (request, reply) => {
      const q = request.query.q?.trim() ?? '';
      const { limit } = request.query;
      return withEtag(
        request,
        reply,
        `kb.${await versions.of('knowledge_base')}.${limit}.${encodeURIComponent(q)}`,
        async () => {
          if (q === '') {
            const rows = await db
              .selectFrom('kb_articles')
              .selectAll()
              .where('status', '=', 'published')
              .orderBy('title')
              .orderBy('id')
              .limit(limit)
              .execute();
            return {
              items: rows.map((r) => ({
                id: r.id,
                title: r.title,
                snippet: snippet(r.body),
                createdAt: iso(r.published_at)!,
                updatedAt: iso(r.updated_at)!,
              })),
            };
          }
          // Every word first; when nothing has them all, the articles with any of them, best first.
          let hits = await searchArticles(db, q, limit);
          if (hits.length === 0) hits = await matchArticles(db, q, { limit, minScore: 0 });
          const dates = new Map(
            hits.length
              ? (
                  await db
                    .selectFrom('kb_articles')
                    .select(['id', 'published_at'])
                    .where(
                      'id',
                      'in',
                      hits.map((h) => h.id),
                    )
                    .execute()
                ).map((r) => [r.id, r.published_at])
              : [],
          );
          return {
            items: hits.map((h) => ({
              id: h.id,
              title: h.title,
              snippet: snippet(h.body),
              createdAt: iso(dates.get(h.id))!,
              updatedAt: iso(h.updatedAt)!,
              rank: h.rank,
            })),
          };
        },
      );
    },
  );

  app.get(
    '/api/kb/articles/:id',
    {
      schema: {
        tags: ['knowledge base'],
        summary: 'One published article; no sign-in needed',
        params: z.strictObject({ id: z.string().max(100) }),
        response: { 200: ArticleDetail },
      },
    },
    async (request, reply) => {
      deps.origins.cors(request, reply, null);
      const { id } = request.params;
      if (!UUID.test(id)) throw new NotFoundError('No such article');
      const row = await db
        .selectFrom('kb_articles')
        .selectAll()
        .where('id', '=', id)
        .where('status', '=', 'published')
        .executeTakeFirst();
      if (!row) throw new NotFoundError('No such article');
      reply.header('cache-control', 'no-cache');
      return {
        id: row.id,
        title: row.title,
        body: row.body,
        createdAt: iso(row.published_at)!,
        updatedAt: iso(row.updated_at)!,
      };
    },
  );
}
