import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError } from '../errors';

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

const FASTIFY_CODES: Record<string, { status: number; code: string; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'The request body is too large' },
  FST_REQ_FILE_TOO_LARGE: { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'The file is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Send application/json' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'VALIDATION_FAILED', message: 'The JSON body is empty' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'MALFORMED_JSON', message: 'The body is not valid JSON' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'BAD_REQUEST', message: 'Content-Length does not match' },
  FST_INVALID_MULTIPART_CONTENT_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Send multipart/form-data' },
  FST_ERR_BAD_URL: { status: 400, code: 'BAD_REQUEST', message: 'Malformed URL' },
};

/** The one place errors become HTTP answers: `{ error: { code, message, details } }`. */
export function registerErrorHandling(
  app: FastifyInstance,
  notFound?: (request: FastifyRequest, reply: FastifyReply) => unknown,
): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const details = error.validation.map((issue) => ({
        field: [error.validationContext, ...(issue.instancePath || '').split('/').filter(Boolean)].join('.'),
        message: issue.message,
      }));
      return reply.status(400).send({ error: { code: 'VALIDATION_FAILED', message: 'Some fields are not valid', details } });
    }
    if (error instanceof AppError) {
      if (error.status === 429) {
        const retry = (error.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
        if (retry) reply.header('retry-after', String(Math.ceil(retry)));
      }
      return reply.status(error.status).send(body(error.code, error.message, error.details));
    }
    if (isMalformedUpload(error)) return reply.status(400).send(body('MALFORMED_UPLOAD', 'The upload is not valid multipart/form-data'));
    const known = error.code ? FASTIFY_CODES[error.code] : undefined;
    if (known) return reply.status(known.status).send(body(known.code, known.message));
    if (error.statusCode === 429) return reply.status(429).send(body('RATE_LIMITED', 'Too many requests, slow down'));
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500)
      return reply.status(error.statusCode).send(body('BAD_REQUEST', error.message));
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ err: error }, 'database unavailable');
      return reply.status(503).send(body('UNAVAILABLE', 'Temporarily unavailable, try again'));
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.status(500).send(body('INTERNAL', 'Something went wrong on our side'));
  });
  app.setNotFoundHandler((request, reply) => {
    const handled = notFound?.(request, reply);
    if (handled) return handled;
    return reply.status(404).send(body('NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}`));
  });
}

function body(code: string, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** A broken multipart body, as the multipart parser reports it (it gives no error code). */
function isMalformedUpload(error: { message?: string; stack?: string }): boolean {
  return /busboy|dicer/i.test(error.stack ?? '') && /Unexpected end|Malformed|boundary|Part terminated/i.test(error.message ?? '');
}

const UNAVAILABLE = ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P02', '57P03', '08006', '08001', '08003', '53300'];

/** A database that is down or unreachable answers 503 rather than 500. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  if (e?.code && UNAVAILABLE.includes(e.code)) return true;
  const message = e?.message ?? '';
  return /timeout exceeded when trying to connect|Connection terminated|not queryable|terminating connection|the database system is (starting up|shutting down)|connect ECONNREFUSED|canceling statement due to statement timeout/i.test(
    message,
  );
}
