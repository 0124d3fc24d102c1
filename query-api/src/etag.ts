import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Answers 304 when the client already has this version (`If-None-Match`), before any row is read;
 * otherwise sets the ETag and answers what `produce` builds. Version tags must change whenever
 * the answer could (use a read model's change position, plus the viewer where it matters).
 */
export async function withEtag<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  version: string,
  produce: () => Promise<T>,
): Promise<T | FastifyReply> {
  const etag = `W/"${version}"`;
  reply.header('etag', etag);
  reply.header('cache-control', 'private, no-cache');
  const given = request.headers['if-none-match'];
  if (given && given.split(',').some((tag) => tag.trim() === etag)) return reply.status(304).send();
  return produce();
}
