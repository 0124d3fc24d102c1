import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import type { AuditEvent, Verification } from './auditApi';

vi.mock('./auditApi', async (original) => ({
  ...(await original<typeof import('./auditApi')>()),
  verify: vi.fn(),
}));
const api = await import('./auditApi');
const { default: ChainVerification } = await import('./ChainVerification.vue');
const { gist, typeLabel, actorLabel } = await import('./labels');

const checkpoints = (patch: Partial<Extract<Verification, { scope: 'log' }>['checkpoints']> = {}) => ({
  latest: null,
  events: 0,
  valid: 0,
  invalid: [],
  unknownKey: 0,
  heads: [],
  counts: [],
  ...patch,
});

describe('the verification screen', () => {
  it('names the first broken link and every deleted tail', async () => {
    vi.mocked(api.verify).mockResolvedValue({
      scope: 'log',
      ok: false,
      events: 120,
      streams: 30,
      upToPosition: '99001',
      brokenStreams: 2,
      breaks: [],
      firstBreak: {
        streamId: 'channel-abc',
        revision: '2',
        position: '5001',
        eventId: 'evt-42',
        expectedHash: 'a'.repeat(64),
        storedHash: 'b'.repeat(64),
      },
      checkpoints: checkpoints({
        events: 1,
        valid: 1,
        latest: {
          checkpointId: 'c1',
          upToPosition: '90001',
          eventCount: 110,
          streamCount: 29,
          recordedAt: '2026-01-01T10:00:00.000Z',
        },
        heads: [
          {
            streamId: 'message-xyz',
            claimedRevision: '3',
            claimedHash: 'c'.repeat(64),
            actualRevision: '1',
            actualHash: 'd'.repeat(64),
            problem: 'tail-missing',
          },
        ],
      }),
    });
    const screen = mount(ChainVerification);
    await screen.get('[data-testid=verify-all]').trigger('click');
    await flushPromises();
    const report = screen.get('[data-testid=verify-result]');
    expect(report.text()).toContain('The history was altered');
    expect(screen.get('[data-testid=first-break]').text()).toContain('evt-42');
    expect(report.text()).toContain('2 streams are broken in all');
    expect(report.text()).toContain('message-xyz was signed at revision 3 but now ends at 1');
    expect(api.verify).toHaveBeenCalledWith(undefined);
  });

  it('says plainly when all is well, and verifies one stream on request', async () => {
    vi.mocked(api.verify).mockResolvedValue({
      scope: 'stream',
      ok: true,
      streamId: 'channel-abc',
      events: 7,
      head: { revision: '6', hash: 'e'.repeat(64) },
      firstBreak: null,
      checkpoints: checkpoints(),
    });
    const screen = mount(ChainVerification);
    await screen.get('#verify-stream').setValue('channel-abc');
    await screen.get('form').trigger('submit');
    await flushPromises();
    expect(api.verify).toHaveBeenLastCalledWith('channel-abc');
    expect(screen.get('[data-testid=verify-result]').text()).toContain('The history is intact');
    expect(screen.find('[data-testid=first-break]').exists()).toBe(false);
  });
});

describe('event labels', () => {
  const event = (
    type: string,
    data: Record<string, unknown>,
    actor: AuditEvent['metadata']['actor'] = { kind: 'user', id: 'u1' },
  ) => ({ type, data, metadata: { actor } }) as unknown as AuditEvent;

  it('reads like the product', () => {
    expect(typeLabel('VisitorMessagePosted')).toBe('Visitor message posted');
    expect(gist(event('MessagePosted', { body: 'hello there' }))).toBe('hello there');
    expect(
      gist(event('ArticlesSuggested', { articles: [{ title: 'Reset your password' }, { title: 'VPN' }] })),
    ).toBe('Reset your password · VPN');
    expect(gist(event('MessagePosted', { body: 'x'.repeat(200) }))).toHaveLength(90);
    const names = new Map([['u1', 'Mitch']]);
    expect(actorLabel(event('X', {}), names)).toBe('Mitch');
    expect(actorLabel(event('X', {}, { kind: 'system', id: 'kb-bot' }), names)).toBe('system: kb-bot');
    expect(actorLabel(event('X', {}, { kind: 'visitor', id: '1234567890' }), names)).toBe('visitor 12345678');
  });
});
