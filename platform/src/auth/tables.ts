/**
 * Sign-in state lives beside the event store, not in it: password hashes (argon2id) and
 * session tokens (sha256 only) are secrets and must never enter the event history.
 */
export const AUTH_DDL = `
  CREATE TABLE IF NOT EXISTS user_credentials (
    user_id uuid PRIMARY KEY,
    email text NOT NULL UNIQUE,
    password_hash text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE TABLE IF NOT EXISTS auth_sessions (
    token_hash text PRIMARY KEY,
    user_id uuid NOT NULL,
    role text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
  );
  CREATE INDEX IF NOT EXISTS auth_sessions_user ON auth_sessions (user_id);
  CREATE TABLE IF NOT EXISTS login_failures (
    key text PRIMARY KEY,
    failures integer NOT NULL,
    window_start timestamptz NOT NULL
  );
`;
