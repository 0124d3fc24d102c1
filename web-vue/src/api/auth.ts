import { get, post } from './http';
import type { User } from './types';

/** POST /api/auth/login: sets the session cookie. */
export function login(email: string, password: string): Promise<{ token: string; user: User }> {
  return post('/api/auth/login', { email, password });
}

/** POST /api/auth/logout */
export function logout(): Promise<unknown> {
  return post('/api/auth/logout', {});
}

/** GET /api/me */
export function getMe(): Promise<{ user: User }> {
  return get('/api/me');
}
