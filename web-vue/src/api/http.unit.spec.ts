import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, command, onUnauthorized, query, resetHttpState } from './http';

const fetchMock = vi.fn<typeof fetch>();

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(status === 304 ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

function sentHeaders(call: number): Record<string, string> {
  return (fetchMock.mock.calls[call]![1]!.headers ?? {}) as Record<string, string>;
}

describe('http', () => {
  beforeEach(() => {
    resetHttpState();
    fetchMock.mockReset();
    vi.stubGlobal('fetch', fetchMock);
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    onUnauthorized(null);
  });

  it('sends the position of the last write with the next queries (read your writes)', async () => {
    fetchMock.mockResolvedValueOnce(json(200, { items: [] }));
    await query('/api/channels');
    expect(sentHeaders(0)['X-Min-Position']).toBeUndefined();

    fetchMock.mockResolvedValueOnce(json(200, { position: '1234' }));
    await command('PostMessage', { channelId: 'c', messageId: 'm', body: 'hi' });
    fetchMock.mockResolvedValueOnce(json(200, { position: '99' }));
    await command('MarkChannelRead', { channelId: 'c' });

    fetchMock.mockResolvedValueOnce(json(200, { items: [] }));
    await query('/api/channels');
    expect(sentHeaders(3)['X-Min-Position']).toBe('1234'); // the highest, not the latest
  });

  it('revalidates with the ETag and serves the remembered body on 304', async () => {
    fetchMock.mockResolvedValueOnce(json(200, { items: [1] }, { ETag: '"v1"', 'X-Position': '5' }));
    const first = await query<{ items: number[] }>('/api/channels', { revalidate: true });
    expect(first).toEqual({ data: { items: [1] }, notModified: false, position: '5' });

    fetchMock.mockResolvedValueOnce(json(304, null, { ETag: '"v1"' }));
    const second = await query<{ items: number[] }>('/api/channels', { revalidate: true });
    expect(sentHeaders(1)['If-None-Match']).toBe('"v1"');
    expect(second.notModified).toBe(true);
    expect(second.data).toEqual({ items: [1] });
  });

  it('turns the error envelope into an ApiError and reports 401s', async () => {
    const unauthorized = vi.fn();
    onUnauthorized(unauthorized);
    fetchMock.mockResolvedValueOnce(
      json(409, {
        error: { code: 'SESSION_TAKEN', message: 'Taken', details: { agent: { id: 'a', name: 'Sam' } } },
      }),
    );
    const error = await command('JoinSession', { sessionId: 's' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 409, code: 'SESSION_TAKEN', details: { agent: { name: 'Sam' } } });

    fetchMock.mockResolvedValueOnce(json(401, { error: { code: 'UNAUTHENTICATED', message: 'Sign in' } }));
    await expect(query('/api/channels')).rejects.toMatchObject({ status: 401 });
    expect(unauthorized).toHaveBeenCalledOnce();
  });

  it('reports an unreachable server as a network error', async () => {
    fetchMock.mockRejectedValueOnce(new TypeError('Failed to fetch'));
    await expect(query('/api/channels')).rejects.toMatchObject({ status: 0, isNetwork: true });
  });
});
