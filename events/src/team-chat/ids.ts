import { createHash } from 'node:crypto';

/** The namespace of direct-message channel ids (a fixed, random UUID). */
const DM_NAMESPACE = 'c5a2f1de-6f0b-4c1e-9a57-3d2b8e41f7a0';

/**
 * The one channel id of the direct messages between two users: a UUIDv5 of the sorted pair,
 * so both sides (and any retry) derive the same stream without coordinating.
 */
export function directMessageChannelId(userA: string, userB: string): string {
  const [low, high] = [userA.toLowerCase(), userB.toLowerCase()].sort();
  const hash = createHash('sha1')
    .update(Buffer.from(DM_NAMESPACE.replaceAll('-', ''), 'hex'))
    .update(`dm:${low}:${high}`)
    .digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The conventional channel name: lowercase, words joined by single hyphens, letters, digits and
 * hyphens only ("Proj 014 Carms Court" -> "proj-014-carms-court"). The portal's form applies the
 * same rule while typing; the server applies it again, so names are unique in this form.
 */
export function normalizeChannelName(input: string): string {
  return input
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80)
    .replace(/-$/, '');
}

export const CHANNEL_NAME_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
