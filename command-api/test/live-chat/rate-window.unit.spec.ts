import { describe, expect, it } from 'vitest';
import { RateWindows } from '../../src/live-chat/rate-window';

describe('rate windows', () => {
  it('allow `max` hits per window, then tell how long to wait, then allow again', () => {
    let now = 1_000_000;
    const windows = new RateWindows(() => now);
    for (let i = 0; i < 3; i++) expect(windows.hit('a', 3, 10_000)).toBe(0);
    expect(windows.hit('a', 3, 10_000)).toBe(10);
    now += 4_200;
    expect(windows.hit('a', 3, 10_000)).toBe(6);
    expect(windows.hit('b', 3, 10_000)).toBe(0);
    now += 5_800;
    expect(windows.hit('a', 3, 10_000)).toBe(0);
  });

  it('forgets old windows', () => {
    let now = 0;
    const windows = new RateWindows(() => now);
    for (let i = 0; i < 1_000; i++) windows.hit(`k${i}`, 1, 10_000);
    now += 120_000;
    windows.hit('fresh', 1, 10_000);
    expect((windows as unknown as { windows: Map<string, unknown> }).windows.size).toBe(1);
  });
});
