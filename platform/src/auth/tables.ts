/** The channel on which every change of a signed-in session is announced, with its user id as payload. */
export const SESSIONS_CHANGED_CHANNEL = 'auth_sessions_changed';

/**
 * Sign-in state lives beside the event store, not in it: password hashes (argon2id) and
 * session tokens (sha256 only) are secrets and must never enter the event history.
 *
 * Every update or deletion of a session (sign-out, deactivation, role or password change, by
 * whichever code path) announces its user on `auth_sessions_changed`, so that processes that
 * remember sessions forget them. The advisory lock lets several processes start at once: two
 * concurrent `CREATE OR REPLACE FUNCTION`s of the same function would fail.
 */
export const AUTH_DDL = `
  SELECT pg_advisory_xact_lock(hashtext('portal:auth-ddl'));
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
  CREATE OR REPLACE FUNCTION auth_sessions_changed() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM pg_notify('${SESSIONS_CHANGED_CHANNEL}', OLD.user_id::text);
    RETURN NULL;
  END $$;
  CREATE OR REPLACE TRIGGER auth_sessions_changed AFTER UPDATE OR DELETE ON auth_sessions
    FOR EACH ROW EXECUTE FUNCTION auth_sessions_changed();
`;
