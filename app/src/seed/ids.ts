import { createHash } from 'node:crypto';

/** A stable uuid for a demo record, so seeding twice changes nothing. */
export function demoId(name: string): string {
  const h = createHash('sha256').update(`demo:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
