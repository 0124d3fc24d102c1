import { z } from 'zod';

/**
 * Text a person typed: trimmed, NUL-free (Postgres jsonb cannot hold U+0000), within bounds.
 * The one way every schema takes user text.
 */
export function text(min: number, max: number) {
  return z
    .string()
    .trim()
    .min(min)
    .max(max)
    .refine((s) => !s.includes('\u0000'), 'must not contain NUL characters');
}

export const id = () => z.uuid();
