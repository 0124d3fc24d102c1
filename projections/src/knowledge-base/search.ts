import { sql, type Kysely } from 'kysely';
import type { ReadModels } from '../read-models';

export interface ArticleHit {
  id: string;
  title: string;
  body: string;
  status: 'published' | 'archived';
  rank: number;
  updatedAt: Date;
}

/** At most this many words of a text go into a query: a visitor's essay is no reason for a slow search. */
const MAX_TERMS = 24;

/** The words of a text, safe to join into to_tsquery syntax (letters and digits only). */
export function searchTerms(text: string): string[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(words)].filter((w) => w.length <= 40).slice(0, MAX_TERMS);
}

/**
 * Ranked full-text search over published articles (English stemming; title weighted above body).
 * `all`: every word must match (a staff search box, with websearch syntax: "quotes", -not, or);
 * `any`: any word may match, best first (the bot reading a visitor's sentence).
 */
export async function searchArticles(
  db: Kysely<ReadModels>,
  text: string,
  options: { mode: 'all' | 'any'; limit: number; minRank?: number },
): Promise<ArticleHit[]> {
  const query =
    options.mode === 'all'
      ? sql`websearch_to_tsquery('english', ${text})`
      : (() => {
          const terms = searchTerms(text);
          return terms.length === 0 ? null : sql`to_tsquery('english', ${terms.join(' | ')})`;
        })();
  if (query === null) return [];
  const { rows } = await sql<{ id: string; title: string; body: string; status: 'published' | 'archived'; rank: number; updated_at: Date }>`
    SELECT id, title, body, status, ts_rank(search, q) AS rank, updated_at
    FROM kb_articles, ${query} AS q
    WHERE status = 'published' AND search @@ q AND ts_rank(search, q) >= ${options.minRank ?? 0}
    ORDER BY rank DESC, title, id
    LIMIT ${options.limit}`.execute(db);
  return rows.map((r) => ({ id: r.id, title: r.title, body: r.body, status: r.status, rank: Number(r.rank), updatedAt: new Date(r.updated_at) }));
}
