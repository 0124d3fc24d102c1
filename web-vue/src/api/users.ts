import { command, get, qs, type CommandAnswer, type QueryOptions } from './http';
import type { ListAnswer, Role, User } from './types';

/** GET /api/users (active people only unless asked). */
export function listUsers(
  params: { includeInactive?: boolean } = {},
  options: QueryOptions = {},
): Promise<ListAnswer<User>> {
  return get(`/api/users${qs({ includeInactive: params.includeInactive ? 'true' : undefined })}`, {
    revalidate: true,
    ...options,
  });
}

export function createUser(body: {
  userId: string;
  email: string;
  name: string;
  role: Role;
  password: string;
}): Promise<CommandAnswer> {
  return command('CreateUser', body);
}

export function changeUserRole(body: { userId: string; role: Role }): Promise<CommandAnswer> {
  return command('ChangeUserRole', body);
}

export function deactivateUser(body: { userId: string }): Promise<CommandAnswer> {
  return command('DeactivateUser', body);
}
