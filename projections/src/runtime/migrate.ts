import { Migrator, sql, type Kysely, type MigrationProvider } from 'kysely';
import type { Projector } from './types';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export const migrationTables = (projector: Projector) => [
  `migrations_${projector.name}`,
  `migrations_${projector.name}_lock`,
];

/** Runs a projector's migrations into a schema ('public' for the live read model). */
export async function migrateProjector(db: AnyDb, projector: Projector, schema = 'public'): Promise<void> {
  await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(schema)}`.execute(db);
  const provider: MigrationProvider = { getMigrations: async () => projector.migrations };
  const [migrationTableName, migrationLockTableName] = migrationTables(projector);
  const migrator = new Migrator({
    db: db.withSchema(schema),
    provider,
    migrationTableName,
    migrationLockTableName,
    migrationTableSchema: schema,
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
}
