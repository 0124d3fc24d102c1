import { createHash, randomBytes } from 'node:crypto';
import { Role } from '@chat/events';
import type pg from 'pg';
import type { Principal } from './principal';

export const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');

/** Session tokens: 256 random bits handed to the client, only their hash stored. */
export class SessionStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly ttlHours: number,
  ) {}

  async create(userId: string, role: Role): Promise<{ token: string; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.ttlHours * 3_600_000);
    await this.pool.query('INSERT INTO auth_sessions (token_hash, user_id, role, expires_at) VALUES ($1, $2, $3, $4)', [
      hashToken(token),
      userId,
      role,
      expiresAt,
    ]);
    return { token, expiresAt };
  }

  /** The principal of a live session token, or null (unknown, expired or revoked). */
  async principal(token: string): Promise<Principal | null> {
    if (token.length < 20 || token.length > 100) return null;
    const tokenHash = hashToken(token);
    const { rows } = await this.pool.query<{ user_id: string; role: string }>(
      'SELECT user_id, role FROM auth_sessions WHERE token_hash = $1 AND expires_at > now()',
      [tokenHash],
    );
    const row = rows[0];
    if (!row) return null;
    return { userId: row.user_id, role: Role.parse(row.role), sessionId: tokenHash };
  }

  async revoke(sessionId: string): Promise<void> {
    await this.pool.query('DELETE FROM auth_sessions WHERE token_hash = $1', [sessionId]);
  }

  /** Signs a user out everywhere (deactivation). */
  async revokeAllOf(userId: string): Promise<void> {
    await this.pool.query('DELETE FROM auth_sessions WHERE user_id = $1', [userId]);
  }

  /** A role change applies to the user's open sessions at once. */
  async changeRole(userId: string, role: Role): Promise<void> {
    await this.pool.query('UPDATE auth_sessions SET role = $2 WHERE user_id = $1', [userId, role]);
  }
}
