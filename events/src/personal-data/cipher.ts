import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** AES-256-GCM: 12-byte iv, 16-byte tag, answered as base64 of iv | ciphertext | tag. */
export function seal(key: Buffer, plaintext: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64');
}

export function open(key: Buffer, sealed: string): Buffer {
  const { decipher, body } = opening(key, sealed);
  return Buffer.concat([decipher.update(body), decipher.final()]);
}

/** `open` for UTF-8 text, decoded as it is deciphered (no buffers joined: every event read takes this). */
export function openText(key: Buffer, sealed: string): string {
  const { decipher, body } = opening(key, sealed);
  return decipher.update(body, undefined, 'utf8') + decipher.final('utf8');
}

function opening(key: Buffer, sealed: string) {
  const raw = Buffer.from(sealed, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(raw.length - 16));
  return { decipher, body: raw.subarray(12, raw.length - 16) };
}

/** Parses a 32-byte key given as 64 hex characters or base64. */
export function parseKey(text: string): Buffer {
  const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) throw new Error('a data key secret must be 32 bytes (64 hex characters or base64)');
  return key;
}
