import { ValidationError, type HttpServer } from '@chat/platform';
import type { CheckpointWatcher } from './checkpoint-watcher';

const POSITION = /^-?\d{1,20}$/;

declare module 'fastify' {
  interface FastifyRequest {
    readPosition?: bigint;
  }
}

/**
 * Read-your-writes: a query with `X-Min-Position: <p>` waits (at most `maxWaitMs`) until the
 * read models have passed p; if they have not by then it answers anyway, marked `X-Stale: true`.
 * Every answer says what it reflects in `X-Position`.
 */
export function registerConsistencyHooks(
  app: HttpServer,
  watcher: CheckpointWatcher,
  maxWaitMs: number,
): void {
  app.addHook('preHandler', async (request, reply) => {
    const header = request.headers['x-min-position'];
    if (typeof header === 'string' && header !== '') {
      if (!POSITION.test(header)) throw new ValidationError('X-Min-Position must be a decimal position');
      const reached = await watcher.waitFor(BigInt(header), maxWaitMs);
      if (!reached) reply.header('x-stale', 'true');
    }
    request.readPosition = await watcher.position();
    reply.header('x-position', request.readPosition.toString());
  });
}
