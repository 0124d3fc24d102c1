import { sql, type Kysely } from 'kysely';

/** Where each projector and reactor is in the log; one row each. */
export const CHECKPOINTS_DDL = `
  CREATE TABLE IF NOT EXISTS public.projection_checkpoints (
    name text PRIMARY KEY,
    position bigint NOT NULL DEFAULT -1,
    changed_position bigint NOT NULL DEFAULT -1,
    updated_at timestamptz NOT NULL DEFAULT now()
  )`;

export interface Checkpoint {
  name: string;
  position: bigint;
  changedPosition: bigint;
  updatedAt: Date;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function ensureCheckpoint(db: AnyDb, name: string): Promise<void> {
  await sql`INSERT INTO public.projection_checkpoints (name) VALUES (${name}) ON CONFLICT (name) DO NOTHING`.execute(
    db,
  );
}

export async function readCheckpoint(db: AnyDb, name: string): Promise<bigint> {
  const { rows } = await sql<{
    position: string;
  }>`SELECT position FROM public.projection_checkpoints WHERE name = ${name}`.execute(db);
  return rows[0] ? BigInt(rows[0].position) : -1n;
}

export async function readCheckpoints(db: AnyDb): Promise<Checkpoint[]> {
  const { rows } = await sql<{ name: string; position: string; changed_position: string; updated_at: Date }>`
    SELECT name, position, changed_position, updated_at FROM public.projection_checkpoints ORDER BY name`.execute(
    db,
  );
  return rows.map((r) => ({
    name: r.name,
    position: BigInt(r.position),
    changedPosition: BigInt(r.changed_position),
    updatedAt: r.updated_at,
  }));
}

export async function writeCheckpoint(
  db: AnyDb,
  name: string,
  position: bigint,
  changedPosition: bigint | null,
): Promise<void> {
  await sql`UPDATE public.projection_checkpoints
    SET position = ${position.toString()}, updated_at = now(),
        changed_position = COALESCE(${changedPosition?.toString() ?? null}::bigint, changed_position)
    WHERE name = ${name}`.execute(db);
}

/** A stable advisory-lock key per projector, so one instance at a time projects it. */
export const lockKey = (name: string) => sql`hashtext(${'projector:' + name})`;

/**
 * The channel on which a projector announces, with the commit of each batch, where its checkpoint
 * now stands: `<name> <position> <changed position>` (see ProjectionRunner.applyBatch).
 */
export const PROGRESS_CHANNEL = 'projection_progress';

/** A progress announcement, or null if the payload is not one. */
export function parseProgress(payload: string): Omit<Checkpoint, 'updatedAt'> | null {
  const match = /^(\S+) (-?\d{1,20}) (-?\d{1,20})$/.exec(payload);
  return match
    ? { name: match[1]!, position: BigInt(match[2]!), changedPosition: BigInt(match[3]!) }
    : null;
}
