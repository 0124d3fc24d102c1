import type { AttachmentRef } from '@chat/events';
import { ValidationError } from '@chat/platform';
import type pg from 'pg';

/**
 * Uploaded files, as the write side knows them: who uploaded what, and which message claimed it.
 * The bytes are in the blob store; what readers need reaches them in the MessagePosted event.
 */
export const ATTACHMENTS_DDL = `
  CREATE TABLE IF NOT EXISTS team_chat_attachments (
    id uuid PRIMARY KEY,
    uploader_id uuid NOT NULL,
    name text NOT NULL,
    size bigint NOT NULL,
    content_type text NOT NULL,
    width integer,
    height integer,
    sha256 text NOT NULL,
    message_id uuid,
    uploaded_at timestamptz NOT NULL DEFAULT now()
  )`;

const ready = new WeakMap<pg.Pool, Promise<void>>();

/** Creates the table once per pool (every command-api instance may be the first). */
export function ensureAttachmentsTable(pool: pg.Pool): Promise<void> {
  let promise = ready.get(pool);
  if (!promise) {
    promise = pool.query(ATTACHMENTS_DDL).then(() => undefined);
    promise.catch(() => ready.delete(pool));
    ready.set(pool, promise);
  }
  return promise;
}

export async function recordUpload(
  pool: pg.Pool,
  attachment: AttachmentRef & { uploaderId: string },
): Promise<void> {
  await ensureAttachmentsTable(pool);
  await pool.query(
    `INSERT INTO team_chat_attachments (id, uploader_id, name, size, content_type, width, height, sha256)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      attachment.id,
      attachment.uploaderId,
      attachment.name,
      attachment.size,
      attachment.contentType,
      attachment.width,
      attachment.height,
      attachment.sha256,
    ],
  );
}

/**
 * Claims uploads for a message: each must be the poster's own and not yet attached elsewhere (a
 * retry of the same message may claim again). All or none, in the order given.
 */
export async function claimAttachments(
  pool: pg.Pool,
  claim: { attachmentIds: string[]; uploaderId: string; messageId: string },
): Promise<AttachmentRef[]> {
  await ensureAttachmentsTable(pool);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{
      id: string;
      name: string;
      size: string;
      content_type: string;
      width: number | null;
      height: number | null;
      sha256: string;
    }>(
      `UPDATE team_chat_attachments SET message_id = $3
       WHERE id = ANY($1::uuid[]) AND uploader_id = $2 AND (message_id IS NULL OR message_id = $3)
       RETURNING id, name, size, content_type, width, height, sha256`,
      [claim.attachmentIds, claim.uploaderId, claim.messageId],
    );
    if (rows.length !== claim.attachmentIds.length) {
      await client.query('ROLLBACK');
      const found = new Set(rows.map((r) => r.id));
      throw new ValidationError(
        'An attachment is unknown, not yours, or attached to another message already',
        claim.attachmentIds
          .filter((id) => !found.has(id))
          .map((id) => ({ field: 'body.attachmentIds', message: `${id} is not available` })),
        'ATTACHMENT_UNAVAILABLE',
      );
    }
    await client.query('COMMIT');
    const byId = new Map(rows.map((r) => [r.id, r]));
    return claim.attachmentIds.map((id) => {
      const r = byId.get(id)!;
      return {
        id,
        name: r.name,
        size: Number(r.size),
        contentType: r.content_type,
        sha256: r.sha256,
        width: r.width,
        height: r.height,
      };
    });
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
