import type { ReadModels } from '@chat/projections';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { iso } from './staff';

export const Suggestion = z.object({ articleId: z.string(), title: z.string() });

export const TranscriptMessage = z.object({
  id: z.string(),
  seq: z.number(),
  from: z.enum(['visitor', 'agent', 'bot']),
  authorName: z.string().nullable(),
  body: z.string(),
  createdAt: z.string(),
  suggestions: z.array(Suggestion).optional(),
});
export type TranscriptMessage = z.infer<typeof TranscriptMessage>;

export const BOT_NAME = 'Knowledge base';

/** The transcripts of some sessions, in order, with who wrote each line. */
export async function readTranscripts(
  db: Kysely<ReadModels>,
  sessionIds: readonly string[],
  after = 0,
): Promise<Map<string, TranscriptMessage[]>> {
  const bySession = new Map<string, TranscriptMessage[]>(sessionIds.map((id) => [id, []]));
  if (sessionIds.length === 0) return bySession;
  const rows = await db
    .selectFrom('livechat_messages as m')
    .innerJoin('livechat_sessions as s', 's.id', 'm.session_id')
    .leftJoin('users as u', 'u.id', 'm.author_id')
    .select([
      'm.session_id',
      'm.seq',
      'm.id',
      'm.sender',
      'm.body',
      'm.created_at',
      'm.suggestions',
      's.visitor_name',
      'u.name as author_name',
    ])
    .where('m.session_id', 'in', [...sessionIds])
    .where('m.seq', '>', after)
    .orderBy('m.session_id')
    .orderBy('m.seq')
    .execute();
  for (const row of rows) {
    bySession.get(row.session_id)?.push({
      id: row.id,
      seq: row.seq,
      from: row.sender,
      authorName:
        row.sender === 'visitor'
          ? row.visitor_name
          : row.sender === 'bot'
            ? BOT_NAME
            : (row.author_name ?? null),
      body: row.body,
      createdAt: iso(row.created_at)!,
      ...(row.suggestions
        ? { suggestions: JSON.parse(row.suggestions) as z.infer<typeof Suggestion>[] }
        : {}),
    });
  }
  return bySession;
}
