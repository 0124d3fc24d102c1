import { evolveUser, initialUserState, Role, text, userStream } from '@chat/events';
import { ConflictError, hashPassword, UnauthorizedError, verifyPassword } from '@chat/platform';
import { z } from 'zod';
import { decideAndAppend } from '../commands/decide-and-append';
import { anyUser, defineCommand, roles, userIdOf, type CommandContext } from '../commands/define';
import { decideUser, type UserCommand } from './decide';

const userAggregate = { initialState: initialUserState, evolve: evolveUser };
const password = z.string().min(4).max(200);
const email = z
  .email()
  .max(254)
  .transform((e) => e.toLowerCase());

function decide(context: CommandContext, userId: string, command: UserCommand) {
  return decideAndAppend(context, {
    streamId: userStream(userId),
    aggregate: userAggregate,
    decide: (state) => decideUser(command, state),
  });
}

function issuerRole(context: CommandContext) {
  return context.issuer.kind === 'user' ? context.issuer.principal.role : 'SUPER_ADMIN';
}

export const createUser = defineCommand({
  name: 'CreateUser',
  summary: 'Create a user account (ADMIN, SUPER_ADMIN)',
  body: z.strictObject({ userId: z.uuid(), email, name: text(1, 80), role: Role, password }),
  allow: (issuer) => issuer.kind === 'system' || roles('SUPER_ADMIN', 'ADMIN')(issuer),
  handle: async (context, body) => {
    const existing = await context.store.readStream(userStream(body.userId));
    if (existing.length === 0) {
      // The credential row comes first: its unique email makes a taken address fail before any event.
      await context.services.pool
        .query(
          `INSERT INTO user_credentials (user_id, email, password_hash) VALUES ($1, $2, $3)
         ON CONFLICT (user_id) DO UPDATE SET email = EXCLUDED.email, password_hash = EXCLUDED.password_hash`,
          [body.userId, body.email, await hashPassword(body.password)],
        )
        .catch((error: { code?: string }) => {
          if (error.code === '23505')
            throw new ConflictError('EMAIL_TAKEN', 'Another user has this email address');
          throw error;
        });
    }
    const { position } = await decide(context, body.userId, {
      type: 'CreateUser',
      ...body,
      by: issuerRole(context),
    });
    return { position, userId: body.userId };
  },
});

export const changeUserRole = defineCommand({
  name: 'ChangeUserRole',
  summary: "Change a user's role (ADMIN, SUPER_ADMIN)",
  body: z.strictObject({ userId: z.uuid(), role: Role }),
  allow: roles('SUPER_ADMIN', 'ADMIN'),
  handle: async (context, body) => {
    const { position, events } = await decide(context, body.userId, {
      type: 'ChangeUserRole',
      ...body,
      by: issuerRole(context),
      byUserId: userIdOf(context.issuer),
    });
    if (events.length > 0) await context.services.sessions.changeRole(body.userId, body.role);
    return { position };
  },
});

export const deactivateUser = defineCommand({
  name: 'DeactivateUser',
  summary: 'Deactivate a user: signed out everywhere at once (ADMIN, SUPER_ADMIN)',
  body: z.strictObject({ userId: z.uuid() }),
  allow: roles('SUPER_ADMIN', 'ADMIN'),
  handle: async (context, body) => {
    const { position } = await decide(context, body.userId, {
      type: 'DeactivateUser',
      ...body,
      by: issuerRole(context),
      byUserId: userIdOf(context.issuer),
    });
    await context.services.sessions.revokeAllOf(body.userId);
    return { position };
  },
});

export const changePassword = defineCommand({
  name: 'ChangePassword',
  summary: 'Change your own password; your other sessions are signed out',
  body: z.strictObject({ currentPassword: z.string().max(200), newPassword: password }),
  allow: anyUser,
  handle: async (context, body) => {
    const userId = userIdOf(context.issuer);
    const { pool } = context.services;
    const { rows } = await pool.query<{ password_hash: string }>(
      'SELECT password_hash FROM user_credentials WHERE user_id = $1',
      [userId],
    );
    if (!rows[0] || !(await verifyPassword(rows[0].password_hash, body.currentPassword)))
      throw new UnauthorizedError('The current password is wrong', 'WRONG_PASSWORD');
    await pool.query(
      'UPDATE user_credentials SET password_hash = $2, updated_at = now() WHERE user_id = $1',
      [userId, await hashPassword(body.newPassword)],
    );
    const { position } = await decide(context, userId, { type: 'ChangePassword', userId });
    if (context.issuer.kind === 'user') {
      await context.services.sessions.revokeOthersOf(userId, context.issuer.principal.sessionId);
    }
    return { position };
  },
});

export const identityCommands = [createUser, changeUserRole, deactivateUser, changePassword];
