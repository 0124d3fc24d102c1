import type { UsersTable } from './identity/users';

/** Every read-model table, as query-api reads them (kysely types). */
export interface ReadModels {
  users: UsersTable;
}
