import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * An in-memory stand-in for the visitor widget API (same contract), so the widget can be
 * exercised in a browser without the event-sourced backend. Idempotent on messageId, ETag/304.
 */
interface FakeMessage {
  id: string;
  from: 'visitor' | 'agent' | 'bot';
  body: string;
  createdAt: string;
  suggestions?: { articleId: string; title: string }[];
}

export interface FakeSession {
  id: string;
  token: string;
  name: string;
  email: string | null;
  status: 'WAITING' | 'ACTIVE' | 'CLOSED';
  agentJoined: boolean;
  agentName: string | null;
  messages: FakeMessage[];
  version: number;
  solved: string[];
  /** How many POSTs reached the server per messageId (retries included). */
  posts: Map<string, number>;
}

const ARTICLES = new Map([
  [
    'kb-password',
    {
      id: 'kb-password',
      title: 'How to reset your password',
      body: 'If you forgot your password, you can set a new one in a minute.\n\n1. Open the sign-in page and choose "Forgot password".\n2. Enter the email address of your account.\n3. Follow the link in the email we send you (valid for 30 minutes).\n\nNo email after five minutes? Check your spam folder, or see https://example.com/help/email for more tips.',
    },
  ],
]);

export function fakeWidgetApi() {
  const sessions = new Map<string, FakeSession>();
  let order = 0;
  const created = new Map<string, number>();

  const touch = (s: FakeSession) => (s.version += 1);
  const answer = (s: FakeSession) => ({
    status: s.status,
    agentJoined: s.agentJoined,
    agentName: s.agentName,
    queuePosition:
      s.status === 'WAITING'
        ? [...sessions.values()].filter(
            (o) => o.status === 'WAITING' && created.get(o.id)! <= created.get(s.id)!,
          ).length
        : null,
    messages: s.messages,
  });
  const fail = (reply: FastifyReply, status: number, code: string, message: string) =>
    reply.code(status).send({ error: { code, message } });
  const authorized = (request: FastifyRequest, reply: FastifyReply): FakeSession | null => {
    const { id } = request.params as { id: string };
    const s = sessions.get(id);
    if (!s || request.headers.authorization !== `Bearer ${s.token}`) {
      fail(reply, 404, 'NOT_FOUND', 'No such session.');
      return null;
    }
    return s;
  };

  async function register(app: FastifyInstance): Promise<void> {
    app.post('/api/widget/sessions', async (request, reply) => {
      const body = request.body as { name?: string; email?: string; widgetKey?: string };
      if (!body?.name) return fail(reply, 400, 'VALIDATION', 'name is required');
      const s: FakeSession = {
        id: randomUUID(),
        token: `visitor-${randomUUID()}`,
        name: body.name,
        email: body.email ?? null,
        status: 'WAITING',
        agentJoined: false,
        agentName: null,
        messages: [],
        version: 1,
        solved: [],
        posts: new Map(),
      };
      sessions.set(s.id, s);
      created.set(s.id, order++);
      return reply.code(201).send({ sessionId: s.id, token: s.token });
    });
    app.get('/api/widget/sessions/:id', async (request, reply) => {
      const s = authorized(request, reply);
      if (!s) return reply;
      const etag = `"${s.id}.${s.version}.${sessions.size}"`;
      reply.header('ETag', etag).header('Cache-Control', 'no-cache');
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      return answer(s);
    });
    app.post('/api/widget/sessions/:id/messages', async (request, reply) => {
      const s = authorized(request, reply);
      if (!s) return reply;
      const body = request.body as { messageId?: string; body?: string };
      if (!body?.messageId || !body.body)
        return fail(reply, 400, 'VALIDATION', 'messageId and body are required');
      s.posts.set(body.messageId, (s.posts.get(body.messageId) ?? 0) + 1);
      if (s.messages.some((m) => m.id === body.messageId)) return { position: String(s.version) };
      if (s.status === 'CLOSED') return fail(reply, 409, 'SESSION_CLOSED', 'This chat has ended.');
      s.messages.push({
        id: body.messageId,
        from: 'visitor',
        body: body.body,
        createdAt: new Date().toISOString(),
      });
      if (!s.agentJoined && /password/i.test(body.body)) {
        s.messages.push({
          id: randomUUID(),
          from: 'bot',
          body: 'While you wait for an agent, this article might help:',
          createdAt: new Date().toISOString(),
          suggestions: [{ articleId: 'kb-password', title: 'How to reset your password' }],
        });
      }
      touch(s);
      return { position: String(s.version) };
    });
    app.post('/api/widget/sessions/:id/close', async (request, reply) => {
      const s = authorized(request, reply);
      if (!s) return reply;
      s.status = 'CLOSED';
      touch(s);
      return { position: String(s.version) };
    });
    app.post('/api/widget/sessions/:id/suggestions/:articleId/solved', async (request, reply) => {
      const s = authorized(request, reply);
      if (!s) return reply;
      s.solved.push((request.params as { articleId: string }).articleId);
      touch(s);
      return { position: String(s.version) };
    });
    app.get('/api/kb/articles/:id', async (request, reply) => {
      const article = ARTICLES.get((request.params as { id: string }).id);
      return article ?? fail(reply, 404, 'NOT_FOUND', 'No such article.');
    });
  }

  return {
    register,
    sessions,
    /** The only session, or the latest one. */
    latest: () => [...sessions.values()].at(-1),
    agentJoins(sessionId: string, agentName: string) {
      const s = sessions.get(sessionId)!;
      s.status = 'ACTIVE';
      s.agentJoined = true;
      s.agentName = agentName;
      touch(s);
    },
    agentSays(sessionId: string, body: string) {
      const s = sessions.get(sessionId)!;
      s.messages.push({ id: randomUUID(), from: 'agent', body, createdAt: new Date().toISOString() });
      touch(s);
    },
  };
}
