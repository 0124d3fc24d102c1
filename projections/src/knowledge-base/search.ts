import { sql, type Kysely } from 'kysely';
import type { ReadModels } from '../read-models';

export interface ArticleHit {
  id: string;
  title: string;
  body: string;
  /** How well it matched: ts_rank for searches, the word score for matches. */
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

type HitRow = { id: string; title: string; body: string; rank: number | string; updated_at: Date };
const toHit = (r: HitRow): ArticleHit => ({
  id: r.id,
  title: r.title,
  body: r.body,
  rank: Number(r.rank),
  updatedAt: new Date(r.updated_at),
});

/**
 * A search box over published articles: every word must match (websearch syntax: "quotes",
 * -not, or), English stemming, ranked with the title weighted above the body.
 */
export async function searchArticles(
  db: Kysely<ReadModels>,
  text: string,
  limit: number,
): Promise<ArticleHit[]> {
  const { rows } = await sql<HitRow>`
    SELECT id, title, body, ts_rank(search, q) AS rank, updated_at
    FROM kb_articles, websearch_to_tsquery('english', ${text}) AS q
    WHERE status = 'published' AND search @@ q
    ORDER BY rank DESC, title, id
    LIMIT ${limit}`.execute(db);
  return rows.map(toHit);
}

/** What a word of the question is worth when an article's title has it, or only its body. */
export const TITLE_WORD = 1;
export const BODY_WORD = 0.4;
/**
 * A good enough match for the bot: a title word plus a body word, two title words, or four body
 * words; for a one-word question, that word in a title.
 */
export const GOOD_MATCH = 1.4;

/**
 * Articles that answer a sentence (the bot reading what a visitor wrote): any word may match;
 * each distinct stemmed word scores TITLE_WORD when in the title, BODY_WORD when only in the
 * body, and an article needs `minScore` in all (GOOD_MATCH by default; 0 takes any match).
 * Common words count once at most, so a long sentence full of them does not drown a precise one.
 */
export async function matchArticles(
  db: Kysely<ReadModels>,
  text: string,
  options: { limit: number; minScore?: number },
): Promise<ArticleHit[]> {
  const terms = searchTerms(text);
  if (terms.length === 0) return [];
  const minScore = options.minScore ?? GOOD_MATCH;
  const { rows } = await sql<HitRow>`
    WITH words AS (
      SELECT DISTINCT word FROM unnest(tsvector_to_array(to_tsvector('english', ${terms.join(' ')}))) AS word
    ), candidates AS (
      SELECT a.* FROM kb_articles a
      WHERE a.status = 'published' AND a.search @@ to_tsquery('english', ${terms.join(' | ')})
    )
    SELECT c.id, c.title, c.body, c.updated_at,
           sum(CASE WHEN c.search @@ (quote_literal(w.word) || ':A')::tsquery THEN ${TITLE_WORD}::numeric
                    WHEN c.search @@ quote_literal(w.word)::tsquery THEN ${BODY_WORD}::numeric
                    ELSE 0 END) AS rank
    FROM candidates c CROSS JOIN words w
    GROUP BY c.id, c.title, c.body, c.updated_at
    HAVING sum(CASE WHEN c.search @@ (quote_literal(w.word) || ':A')::tsquery THEN ${TITLE_WORD}::numeric
                    WHEN c.search @@ quote_literal(w.word)::tsquery THEN ${BODY_WORD}::numeric
                    ELSE 0 END) >= LEAST(${minScore}::numeric, ${TITLE_WORD}::numeric * (SELECT count(*) FROM words))
    ORDER BY rank DESC, c.title, c.id
    LIMIT ${options.limit}`.execute(db);
  return rows.map(toHit);
}
