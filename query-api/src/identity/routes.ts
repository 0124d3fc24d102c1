import type { ReadModels } from '@chat/projections';
import { NotFoundError, principalOf, requireUser, type HttpServer, type SessionLookup } from '@chat/platform';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { withEtag } from '../etag';
import type { ChangeVersions } from '../change-versions';

export const UserItem = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: z.string(),
  active: z.boolean(),
});

const toItem = (row: { id: string; email: string; name: string; role: string; active: boolean }) => ({
  id: row.id,
  email: row.email,
  name: row.name,
  role: row.role,
  active: row.active,
});

/** Who am I, and who else is there. */
export function registerIdentityQueries(
  app: HttpServer,
  deps: { db: Kysely<ReadModels>; sessions: SessionLookup; versions: ChangeVersions },
): void {
  const auth = requireUser(deps.sessions);
  app.get(
    '/api/me',
    { schema: { tags: ['identity'], response: { 200: z.object({ user: UserItem }) } }, preHandler: auth },
    async (request) => {
      const { userId } = principalOf(request);
      const row = await deps.db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
      if (!row) throw new NotFoundError('Your account is not visible yet; try again in a moment');
      return { user: toItem(row) };
    },
  );
  app.get(
    '/api/users',
    {
      schema: {
        tags: ['identity'],
        querystring: z.strictObject({ includeInactive: z.enum(['true', 'false']).optional() }),
        response: { 200: z.object({ items: z.array(UserItem) }) },
      },
      preHandler: auth,
    },
    async (request, reply) => {
      const includeInactive = request.query.includeInactive === 'true';
      const version = `${await deps.versions.of('users')}:${includeInactive}`;
      return withEtag(request, reply, version, async () => {
        let query = deps.db.selectFrom('users').selectAll().orderBy('name');
        if (!includeInactive) query = query.where('active', '=', true);
        return { items: (await query.execute()).map(toItem) };
      });
    },
  );
}
