import type { RecordedEvent, Role } from '@chat/events';
import type { Kysely, Transaction } from 'kysely';
import type { ReadModels } from '../read-models';
import { oneByOne, type Projector } from '../runtime/types';
import { erasedPerson, erasePersonalData } from '../audit/erasure';

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  role: Role;
  active: boolean;
  created_at: Date;
}

/** Everyone who can sign in: the directory behind /api/users and /api/me. */
export const usersProjector: Projector = {
  name: 'users',
  handles: ['UserCreated', 'UserRoleChanged', 'UserDeactivated', 'PersonalDataErased'],
  tables: ['users'],
  migrations: {
    '0001_users': {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      up: async (db: Kysely<any>) => {
        await db.schema
          .createTable('users')
          .addColumn('id', 'uuid', (c) => c.primaryKey())
          .addColumn('email', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('active', 'boolean', (c) => c.notNull())
          .addColumn('created_at', 'timestamptz', (c) => c.notNull())
          .execute();
      },
    },
  },
  apply: oneByOne(async (tx: Transaction<ReadModels>, event: RecordedEvent) => {
    const data = event.data as { userId: string; email?: string; name?: string; role?: Role };
    switch (event.type) {
      case 'PersonalDataErased':
        return erasePersonalData.users(tx, erasedPerson(event));
      case 'UserCreated':
        await tx
          .insertInto('users')
          .values({
            id: data.userId,
            email: data.email!,
            name: data.name!,
            role: data.role!,
            active: true,
            created_at: new Date(event.metadata.recordedAt),
          })
          .onConflict((c) => c.column('id').doNothing())
          .execute();
        return;
      case 'UserRoleChanged':
        await tx.updateTable('users').set({ role: data.role! }).where('id', '=', data.userId).execute();
        return;
      case 'UserDeactivated':
        await tx.updateTable('users').set({ active: false }).where('id', '=', data.userId).execute();
        return;
    }
  }),
};
