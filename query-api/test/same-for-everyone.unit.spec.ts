import { describe, expect, it } from 'vitest';
import { SameForEveryone } from '../src/same-for-everyone';

describe('answers the same for everyone at a version', () => {
  it('are made once per version, also for those asking while it is being made', async () => {
    const shared = new SameForEveryone<number>();
    let made = 0;
    const make = async () => {
      made++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return made;
    };
    const [a, b] = await Promise.all([shared.answer('queue', '7', make), shared.answer('queue', '7', make)]);
    expect([a, b, made]).toEqual([1, 1, 1]);
    expect(await shared.answer('queue', '7', make)).toBe(1);
    expect(await shared.answer('queue', '8', make)).toBe(2);
    expect(await shared.answer('tiles', '8', make)).toBe(3);
    expect(made).toBe(3);
  });

  it('are made again after a failure', async () => {
    const shared = new SameForEveryone<string>();
    await expect(
      shared.answer('queue', '1', () => Promise.reject(new Error('database down'))),
    ).rejects.toThrow();
    expect(await shared.answer('queue', '1', async () => 'back')).toBe('back');
  });
});
