/**
 * The few errors the system answers with, each with a stable code and an HTTP status.
 * One error handler (http/errors.ts) turns them into the JSON error shape.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export class ValidationError extends AppError {
  constructor(message: string, details?: unknown, code = 'VALIDATION_FAILED') {
    super(400, code, message, details);
  }
}
export class UnauthorizedError extends AppError {
  constructor(message = 'Sign in first', code = 'UNAUTHENTICATED') {
    super(401, code, message);
  }
}
export class ForbiddenError extends AppError {
  constructor(message = 'You may not do that', code = 'FORBIDDEN') {
    super(403, code, message);
  }
}
export class NotFoundError extends AppError {
  constructor(message = 'Not found', code = 'NOT_FOUND') {
    super(404, code, message);
  }
}
export class ConflictError extends AppError {
  constructor(code: string, message: string, details?: unknown) {
    super(409, code, message, details);
  }
}
export class PayloadTooLargeError extends AppError {
  constructor(message = 'Too large') {
    super(413, 'PAYLOAD_TOO_LARGE', message);
  }
}
export class RateLimitedError extends AppError {
  constructor(
    readonly retryAfterSeconds: number,
    message = 'Too many requests, slow down',
  ) {
    super(429, 'RATE_LIMITED', message, { retryAfterSeconds });
  }
}
export class UnavailableError extends AppError {
  constructor(message = 'Temporarily unavailable, try again') {
    super(503, 'UNAVAILABLE', message);
  }
}
