import type { Message, Reaction } from '../../api/types';

/** The quick set offered when hovering a message. */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '🎉', '👀', '✅'] as const;

/** Merge changed or new messages into a list sorted by seq; the incoming copy of a message wins. */
export function mergeMessages(existing: readonly Message[], incoming: readonly Message[]): Message[] {
  if (incoming.length === 0) return existing.slice();
  const byId = new Map(existing.map((m) => [m.id, m]));
  for (const message of incoming) byId.set(message.id, message);
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}

/** The reactions after the current user toggles `emoji` (adds it, or removes their own). */
export function toggleReaction(reactions: readonly Reaction[], emoji: string, userId: string): Reaction[] {
  const existing = reactions.find((r) => r.emoji === emoji);
  if (existing?.mine) {
    return reactions
      .map((r) =>
        r.emoji === emoji
          ? { ...r, count: r.count - 1, mine: false, userIds: r.userIds.filter((id) => id !== userId) }
          : r,
      )
      .filter((r) => r.count > 0);
  }
  if (existing) {
    return reactions.map((r) =>
      r.emoji === emoji ? { ...r, count: r.count + 1, mine: true, userIds: [...r.userIds, userId] } : r,
    );
  }
  return [...reactions, { emoji, count: 1, mine: true, userIds: [userId] }];
}

/** A short one-line excerpt for quote previews. */
export function snippet(body: string, max = 140): string {
  const line = body.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
