import { randomUUID } from 'node:crypto';
import multipart from '@fastify/multipart';
import { createBlobStore } from '@chat/platform/blobs/index';
import {
  PayloadTooLargeError,
  principalOf,
  requireUser,
  ValidationError,
  type HttpServer,
  type Platform,
} from '@chat/platform';
import { z } from 'zod';
import { cleanFileName, contentTypeOf } from './image-info';
import { recordUpload } from './table';

export const AttachmentAnswer = z.object({
  id: z.uuid(),
  name: z.string(),
  size: z.number(),
  contentType: z.string(),
  width: z.number().optional(),
  height: z.number().optional(),
});

/** Room for the multipart envelope around the file itself. */
const ENVELOPE_BYTES = 64 * 1024;

/**
 * `POST /api/attachments` (multipart, field `file`): stores the bytes in the blob store under
 * their hash and answers an id that PostMessage attaches. The type is sniffed from the bytes.
 */
export async function registerAttachmentUpload(app: HttpServer, platform: Platform): Promise<void> {
  const blobs = createBlobStore(platform.config, platform.database.pool);
  const maxBytes = platform.config.ATTACHMENT_MAX_BYTES;
  const signedIn = requireUser(await platform.signedIn());
  await app.register(async (scope) => {
    await scope.register(multipart, {
      limits: { fileSize: maxBytes, files: 1, fields: 5, parts: 6, headerPairs: 50 },
    });
    scope.post(
      '/api/attachments',
      {
        schema: {
          tags: ['team chat'],
          summary: `Upload a file (multipart field "file", at most ${maxBytes} bytes); PostMessage attaches it by id`,
          consumes: ['multipart/form-data'],
          response: { 200: AttachmentAnswer },
        },
        preHandler: signedIn,
        config: { rateLimit: { max: 120, timeWindow: 60_000 } },
      },
      async (request) => {
        const { userId } = principalOf(request);
        const declaredLength = Number(request.headers['content-length'] ?? 0);
        if (declaredLength > maxBytes + ENVELOPE_BYTES)
          throw new PayloadTooLargeError(`Files may be at most ${maxBytes} bytes`);
        if (!request.isMultipart())
          throw new ValidationError('Send multipart/form-data with the file in the field "file"');
        const file = await request.file();
        if (!file || file.fieldname !== 'file')
          throw new ValidationError('Send the file in the multipart field "file"');
        const bytes = await file.toBuffer();
        if (bytes.length === 0) throw new ValidationError('The file is empty');
        const sha256 = await blobs.put(bytes);
        const attachment = {
          id: randomUUID(),
          name: cleanFileName(file.filename),
          size: bytes.length,
          sha256,
          ...contentTypeOf(bytes, file.mimetype),
        };
        await recordUpload(platform.database.pool, { ...attachment, uploaderId: userId });
        const { id, name, size, contentType, width, height } = attachment;
        return { id, name, size, contentType, ...(width ? { width } : {}), ...(height ? { height } : {}) };
      },
    );
  });
}
