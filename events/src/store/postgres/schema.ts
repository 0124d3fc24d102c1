/**
 * The append-only log. `position` is derived from the appending transaction's id
 * (xid8 * 1000 + index in the append), so that position order is commit-safe: a reader that
 * only reads below the oldest running transaction (pg_snapshot_xmin) never skips an event
 * whose transaction committed after a later-numbered one. See the README, "Event store".
 */
export const EVENTS_DDL = `
  CREATE TABLE IF NOT EXISTS events (
    position bigint PRIMARY KEY,
    stream_id text NOT NULL,
    revision bigint NOT NULL,
    event_id uuid NOT NULL UNIQUE,
    type text NOT NULL,
    version integer NOT NULL,
    data jsonb NOT NULL,
    metadata jsonb NOT NULL,
    UNIQUE (stream_id, revision)
  );
  CREATE INDEX IF NOT EXISTS events_type_position ON events (type, position);
  CREATE OR REPLACE FUNCTION events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    RAISE EXCEPTION 'events are append-only';
  END $$;
  DROP TRIGGER IF EXISTS events_append_only ON events;
  CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_are_append_only();
`;

/** Events per transaction id: positions are xid * POSITIONS_PER_TRANSACTION + 1..999. */
export const POSITIONS_PER_TRANSACTION = 1000n;
