import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChatController } from '../src/chat/controller';
import { chatStorage } from '../src/chat/storage';

/** A Storage in memory, like the iframe's localStorage. */
class MemoryStorage implements Storage {
  private readonly map = new Map<string, string>();
  get length() {
    return this.map.size;
  }
  clear() {
    this.map.clear();
  }
  getItem(key: string) {
    return this.map.get(key) ?? null;
  }
  key(index: number) {
    return [...this.map.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.map.delete(key);
  }
  setItem(key: string, value: string) {
    this.map.set(key, value);
  }
}

interface Line {
  id: string;
  seq: number;
  from: 'visitor' | 'agent' | 'bot';
  body: string;
  createdAt: string;
}

/** The widget API as the real query side answers it: `?after=` returns only newer lines. */
function fakeServer() {
  const sessions = new Map<string, { status: string; lines: Line[]; version: number }>();
  const requests: string[] = [];
  let next = 1;
  const reply = (status: number, body?: unknown, headers: Record<string, string> = {}) =>
    new Response(body === undefined ? null : JSON.stringify(body), { status, headers });
  const handler = async (input: string, init: RequestInit = {}) => {
    const url = new URL(input, 'http://portal.test');
    const method = init.method ?? 'GET';
    const headers = new Headers(init.headers);
    requests.push(
      `${method} ${url.pathname}${url.search}${headers.get('if-none-match') ? ' (conditional)' : ''}`,
    );
    if (method === 'POST' && url.pathname === '/api/widget/sessions') {
      const id = `s${next++}`;
      sessions.set(id, { status: 'WAITING', lines: [], version: 1 });
      return reply(200, { sessionId: id, token: `t-${id}`, position: '1' });
    }
    const [, , , , id, action] = url.pathname.split('/');
    const session = sessions.get(id ?? '');
    if (!session || headers.get('authorization') !== `Bearer t-${id}`)
      return reply(404, { error: { code: 'NOT_FOUND', message: 'No such chat session' } });
    if (method === 'GET') {
      const after = Number(url.searchParams.get('after') ?? 0);
      const etag = `"${session.version}.${after}"`;
      if (headers.get('if-none-match') === etag) return reply(304);
      const messages = session.lines.filter((l) => l.seq > after);
      return reply(
        200,
        {
          status: session.status,
          agentJoined: false,
          agentName: null,
          queuePosition: 1,
          messages,
          cursor: messages.at(-1)?.seq ?? after,
        },
        { ETag: etag },
      );
    }
    if (action === 'messages') {
      const body = JSON.parse(String(init.body)) as { messageId: string; body: string };
      if (session.status === 'CLOSED')
        return reply(409, { error: { code: 'SESSION_CLOSED', message: 'closed' } });
      if (!session.lines.some((l) => l.id === body.messageId)) {
        session.lines.push({
          id: body.messageId,
          seq: session.lines.length + 1,
          from: 'visitor',
          body: body.body,
          createdAt: new Date().toISOString(),
        });
        session.version += 1;
      }
      return reply(200, { position: String(session.version) });
    }
    return reply(404);
  };
  return {
    sessions,
    requests,
    handler,
    agentSays(id: string, body: string) {
      const s = sessions.get(id)!;
      s.lines.push({
        id: `a${s.lines.length}`,
        seq: s.lines.length + 1,
        from: 'agent',
        body,
        createdAt: new Date().toISOString(),
      });
      s.version += 1;
    },
    close(id: string) {
      sessions.get(id)!.status = 'CLOSED';
      sessions.get(id)!.version += 1;
    },
  };
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('ChatController', () => {
  let server: ReturnType<typeof fakeServer>;
  let storage: MemoryStorage;
  let unread: number[];
  const controllers: ChatController[] = [];
  const make = (panelOpen = true) => {
    const controller = new ChatController({
      widgetKey: 'demo',
      greeting: 'Hi!',
      storage: chatStorage('demo', storage),
      panelOpen,
      onUnread: (count) => unread.push(count),
    });
    controllers.push(controller);
    return controller;
  };
  const visitorBodies = (c: ChatController) =>
    c.view().timeline.flatMap((i) => (i.kind === 'message' && i.from === 'visitor' ? [i.body] : []));

  beforeEach(() => {
    server = fakeServer();
    storage = new MemoryStorage();
    unread = [];
    vi.stubGlobal('fetch', server.handler);
  });
  afterEach(() => {
    for (const c of controllers.splice(0)) c.dispose();
    vi.unstubAllGlobals();
  });

  it('starts the session with the first message, then polls only what changed', async () => {
    const chat = make();
    chat.start({ name: 'Dana', email: '' });
    expect(server.sessions.size).toBe(0);
    chat.send('hello');
    await until(() => chat.view().snapshot?.messages.length === 1);
    expect(visitorBodies(chat)).toEqual(['hello']);
    expect(server.requests[0]).toBe('POST /api/widget/sessions');

    server.agentSays('s1', 'Hi Dana');
    chat.setVisibility(false, true);
    chat.setVisibility(true, true); // reopening polls at once
    await until(() => chat.view().snapshot?.messages.length === 2);
    expect(server.requests.filter((r) => r.startsWith('GET')).at(-1)).toBe(
      'GET /api/widget/sessions/s1?after=1 (conditional)',
    );
    expect(chat.view().timeline.map((i) => (i.kind === 'message' ? i.body : i.text))).toEqual([
      'Hi!',
      'hello',
      'Hi Dana',
    ]);
  });

  it('keeps the session across a reload and resumes unsent messages with their ids', async () => {
    const first = make();
    first.start({ name: 'Dana', email: 'dana@example.com' });
    first.send('one');
    await until(() => first.view().snapshot?.messages.length === 1);
    first.dispose();

    const again = make();
    await until(() => again.view().snapshot?.messages.length === 1);
    expect(again.view().profile).toEqual({ name: 'Dana', email: 'dana@example.com' });
    expect(again.view().session?.sessionId).toBe('s1');
    expect(server.sessions.size).toBe(1);
  });

  it('starts a new session when the visitor writes after the chat was closed', async () => {
    const chat = make();
    chat.start({ name: 'Dana', email: '' });
    chat.send('first');
    await until(() => chat.view().snapshot?.messages.length === 1);
    server.close('s1');
    chat.send('second'); // races the close: 409, then a new session
    await until(() => server.sessions.get('s2')?.lines.length === 1);
    expect(server.sessions.get('s2')!.lines.map((l) => l.body)).toEqual(['second']);
    await until(() => chat.view().session?.sessionId === 's2' && chat.view().snapshot?.messages.length === 1);
    expect(visitorBodies(chat)).toEqual(['first', 'second']);
  });

  it('counts replies as unread while the panel is closed', async () => {
    const chat = make(true);
    chat.start({ name: 'Dana', email: '' });
    chat.send('hello');
    await until(() => chat.view().snapshot?.messages.length === 1);
    chat.setVisibility(false, true);
    server.agentSays('s1', 'Still there?');
    chat.retry(); // polls now instead of in 15 s
    await until(() => unread.at(-1) === 1);
    chat.setVisibility(true, true);
    expect(unread.at(-1)).toBe(0);
  });

  it('forgets a session the server no longer knows, and says so', async () => {
    storage.setItem(
      'portal-chat:demo',
      JSON.stringify({ profile: { name: 'Dana', email: '' }, session: { sessionId: 'gone', token: 'x' } }),
    );
    const chat = make();
    await until(() => chat.view().expired);
    expect(chat.view().session).toBeNull();
    expect(JSON.parse(storage.getItem('portal-chat:demo')!).session).toBeNull();
  });
});
