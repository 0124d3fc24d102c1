import { randomUUID } from 'node:crypto';
import { startTestSystem, type ApiClient, type TestSystem } from '@chat/app/testing/test-system';
import { demoUserId } from '@chat/app';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { session, seenBy, startVisitor, TEST_WIDGET_SITES } from '@chat/app/live-chat/testing';

describe('Live chat from the widget to the agent and back, through HTTP', () => {
  let t: TestSystem;
  let emma: ApiClient;
  let mitch: ApiClient;
  let morgan: ApiClient;
  beforeAll(async () => {
    t = await startTestSystem({ env: { WIDGET_SITES: TEST_WIDGET_SITES } });
    [emma, mitch, morgan] = await Promise.all([
      t.login('emma@demo.local'),
      t.login('mitch@demo.local'),
      t.login('morgan@demo.local'),
    ]);
  }, 180_000);
  afterAll(async () => t?.close());

  it('a visitor starts a chat, waits in the queue, an agent joins and replies, the visitor sees it', async () => {
    const vera = await startVisitor(t, { name: 'Vera Visitor', email: 'Vera@Example.com' });
    expect(vera.token).toMatch(/^vt_[A-Za-z0-9_-]{43}$/);
    expect((await vera.say('Hello, anyone there?')).status).toBe(200);

    const waiting = await session(mitch, vera);
    expect(waiting).toMatchObject({
      visitorName: 'Vera Visitor',
      visitorEmail: 'vera@example.com',
      status: 'WAITING',
      agent: null,
      messageCount: 1,
      closedAt: null,
    });
    expect(waiting.waitingSince).toBe(waiting.startedAt);
    expect(waiting.messages).toEqual([
      expect.objectContaining({ from: 'visitor', authorName: 'Vera Visitor', body: 'Hello, anyone there?' }),
    ]);
    const queue = await mitch.get('/api/livechat/sessions?status=waiting');
    expect(queue.body.items.map((s: { id: string }) => s.id)).toContain(vera.sessionId);

    const before = await vera.view();
    expect(before.body).toMatchObject({ status: 'WAITING', agentJoined: false, agentName: null });
    expect(before.body.queuePosition).toBeGreaterThanOrEqual(1);
    // Whoever starts after Vera waits behind her.
    const walter = await startVisitor(t, { name: 'Walter Waiting', email: 'walter@example.com' });
    expect((await walter.say('Me too')).status).toBe(200);
    expect((await walter.view()).body.queuePosition).toBe(before.body.queuePosition + 1);

    expect((await mitch.command('JoinSession', { sessionId: vera.sessionId })).status).toBe(200);
    const joined = await session(mitch, vera);
    expect(joined).toMatchObject({ status: 'ACTIVE', agent: { id: demoUserId('mitch'), name: 'Mitch' } });
    // Active and not yet answered: waiting since the visitor's oldest unanswered message.
    expect(joined.waitingSince).toBe(joined.messages[0].createdAt);

    expect(
      (
        await mitch.command('PostAgentMessage', {
          sessionId: vera.sessionId,
          messageId: randomUUID(),
          body: 'Hi Vera, Mitch here.',
        })
      ).status,
    ).toBe(200);
    const answered = await session(mitch, vera);
    expect(answered.waitingSince).toBeNull();
    expect(answered.messageCount).toBe(2);

    vera.lastPosition = mitch.lastPosition;
    const view = await vera.view();
    expect(view.body).toMatchObject({
      status: 'ACTIVE',
      agentJoined: true,
      agentName: 'Mitch',
      queuePosition: null,
    });
    expect(view.body.messages.map((m: { from: string; body: string }) => [m.from, m.body])).toEqual([
      ['visitor', 'Hello, anyone there?'],
      ['agent', 'Hi Vera, Mitch here.'],
    ]);

    await vera.say('Great, thanks');
    const again = await session(mitch, vera);
    expect(again.waitingSince).toBe(again.messages[2].createdAt);
  });

  it('the visitor closes; a closed session takes no more messages, but a retry of an old one is fine', async () => {
    const vic = await startVisitor(t);
    const messageId = randomUUID();
    expect((await vic.say('first', messageId)).status).toBe(200);
    expect((await vic.close()).status).toBe(200);
    const late = await vic.say('too late');
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('SESSION_CLOSED');
    expect((await vic.say('first', messageId)).status).toBe(200);
    expect((await vic.view()).body.status).toBe('CLOSED');
    const closed = await session(emma, vic);
    expect(closed).toMatchObject({ status: 'CLOSED', waitingSince: null, resolution: 'closed' });
    expect(closed.closedAt).toBeTruthy();
    const agentLate = await mitch.command('PostAgentMessage', {
      sessionId: vic.sessionId,
      messageId: randomUUID(),
      body: 'hello?',
    });
    expect(agentLate.status).toBe(409);
  });

  it('assignment: a manager assigns, the assignee replies (which activates), others are told who has it, release requeues', async () => {
    const val = await startVisitor(t);
    await val.say('I need help');
    const selfAssignOther = await mitch.command('AssignSession', {
      sessionId: val.sessionId,
      agentId: demoUserId('morgan'),
    });
    expect(selfAssignOther.status).toBe(403);
    expect(
      (await morgan.command('AssignSession', { sessionId: val.sessionId, agentId: demoUserId('mitch') }))
        .status,
    ).toBe(200);
    const assigned = await session(morgan, val);
    expect(assigned).toMatchObject({ status: 'WAITING', agent: { name: 'Mitch' } });
    const kpis = await morgan.get('/api/livechat/kpis');
    expect(kpis.body.waiting).toBeGreaterThan(kpis.body.unassigned - 1);

    const lost = await emma.command('JoinSession', { sessionId: val.sessionId });
    expect(lost.status).toBe(409);
    expect(lost.body.error).toMatchObject({
      code: 'SESSION_TAKEN',
      details: { agent: { id: demoUserId('mitch'), name: 'Mitch' } },
    });
    expect(lost.body.error.message).toContain('Mitch');

    expect(
      (
        await mitch.command('PostAgentMessage', {
          sessionId: val.sessionId,
          messageId: randomUUID(),
          body: 'On it',
        })
      ).status,
    ).toBe(200);
    expect((await session(mitch, val)).status).toBe('ACTIVE');

    expect((await emma.command('ReleaseSession', { sessionId: val.sessionId })).status).toBe(200);
    const released = await session(emma, val);
    expect(released).toMatchObject({ status: 'WAITING', agent: null });
    const notAnAgent = await morgan.command('AssignSession', {
      sessionId: val.sessionId,
      agentId: demoUserId('jamie'),
    });
    expect(notAnAgent.status).toBe(400);
    expect(notAnAgent.body.error.code).toBe('NOT_AN_AGENT');
  });

  it('links a session to a new ticket; the ticket keeps the whole transcript, including what comes after the link', async () => {
    const tess = await startVisitor(t, { name: 'Tess Requester', email: 'tess@example.com' });
    await tess.say('My laptop will not boot');
    await mitch.command('JoinSession', { sessionId: tess.sessionId });
    const ticketId = randomUUID();
    const linked = await mitch.command('LinkSessionToTicket', {
      sessionId: tess.sessionId,
      newTicket: { ticketId, subject: 'Laptop does not boot' },
    });
    expect(linked.status).toBe(200);
    await tess.say('It shows a blue screen');
    const ticket = await seenBy(mitch, tess).get(`/api/tickets/${ticketId}`);
    expect(ticket.status).toBe(200);
    expect(ticket.body).toMatchObject({
      subject: 'Laptop does not boot',
      status: 'open',
      requesterName: 'Tess Requester',
      requesterEmail: 'tess@example.com',
      sessionIds: [tess.sessionId],
    });
    expect(ticket.body.sessions[0].messages.map((m: { body: string }) => m.body)).toEqual([
      'My laptop will not boot',
      'It shows a blue screen',
    ]);
    expect((await session(mitch, tess)).ticketId).toBe(ticketId);

    const other = await mitch.command('LinkSessionToTicket', {
      sessionId: tess.sessionId,
      ticketId: randomUUID(),
    });
    expect(other.status).toBe(404);
    const second = randomUUID();
    await mitch.command('CreateTicket', { ticketId: second, subject: 'Other' });
    const clash = await mitch.command('LinkSessionToTicket', { sessionId: tess.sessionId, ticketId: second });
    expect(clash.status).toBe(409);
    expect(clash.body.error.code).toBe('ALREADY_LINKED');

    const sam = await startVisitor(t, { name: 'Sam Second' });
    await sam.say('Same problem as Tess');
    expect((await mitch.command('LinkSessionToTicket', { sessionId: sam.sessionId, ticketId })).status).toBe(
      200,
    );
    const both = await mitch.get(`/api/tickets/${ticketId}`);
    expect(both.body.sessions.map((s: { visitorName: string }) => s.visitorName)).toEqual([
      'Tess Requester',
      'Sam Second',
    ]);
    expect((await mitch.command('ChangeTicketStatus', { ticketId, status: 'pending' })).status).toBe(200);
    expect(
      (
        await mitch.command('AddTicketComment', {
          ticketId,
          commentId: randomUUID(),
          body: 'Asked for a photo',
        })
      ).status,
    ).toBe(200);
    const list = await mitch.get('/api/tickets?status=pending');
    expect(list.body.items).toEqual([
      expect.objectContaining({
        id: ticketId,
        status: 'pending',
        sessionIds: [tess.sessionId, sam.sessionId],
      }),
    ]);
    const detail = await mitch.get(`/api/tickets/${ticketId}`);
    expect(detail.body.comments).toEqual([
      expect.objectContaining({
        author: { id: demoUserId('mitch'), name: 'Mitch' },
        body: 'Asked for a photo',
      }),
    ]);
  });

  it('answers 304 to unchanged polls of the queue, the KPIs, a session and the widget, and 200 once something changed', async () => {
    const pia = await startVisitor(t);
    await pia.say('one');
    await t.settle();
    const queue = await seenBy(mitch, pia).get('/api/livechat/sessions?status=open');
    const kpis = await mitch.get('/api/livechat/kpis');
    const detail = await mitch.get(`/api/livechat/sessions/${pia.sessionId}`);
    const view = await pia.view();
    for (const [path, answer] of [
      ['/api/livechat/sessions?status=open', queue],
      ['/api/livechat/kpis', kpis],
      [`/api/livechat/sessions/${pia.sessionId}`, detail],
    ] as const) {
      expect(answer.headers.get('etag'), path).toBeTruthy();
      expect((await mitch.get(path, { 'if-none-match': answer.headers.get('etag')! })).status, path).toBe(
        304,
      );
    }
    expect((await pia.view({ 'if-none-match': view.headers.get('etag')! })).status).toBe(304);

    await pia.say('two');
    seenBy(mitch, pia);
    expect(
      (await mitch.get('/api/livechat/sessions?status=open', { 'if-none-match': queue.headers.get('etag')! }))
        .status,
    ).toBe(200);
    expect(
      (
        await mitch.get(`/api/livechat/sessions/${pia.sessionId}`, {
          'if-none-match': detail.headers.get('etag')!,
        })
      ).status,
    ).toBe(200);
    expect((await pia.view({ 'if-none-match': view.headers.get('etag')! })).status).toBe(200);
    const since = await mitch.get(`/api/livechat/sessions/${pia.sessionId}?after=${detail.body.cursor}`);
    expect(since.body.messages.map((m: { body: string }) => m.body)).toEqual(['two']);
  });

  it('keeps Live chat, tickets and the knowledge base to staff: 403 for USER and AUDITOR, 401 without sign-in', async () => {
    const v = await startVisitor(t);
    const [jamie, ada] = await Promise.all([t.login('jamie@demo.local'), t.login('ada@demo.local')]);
    const ticketId = randomUUID();
    await mitch.command('CreateTicket', { ticketId, subject: 'Staff only' });
    const reads = [
      '/api/livechat/kpis',
      '/api/livechat/sessions?status=open',
      `/api/livechat/sessions/${v.sessionId}`,
      '/api/tickets',
      `/api/tickets/${ticketId}`,
      '/api/kb/articles?q=vpn',
    ];
    for (const path of reads) {
      expect((await jamie.get(path)).status, path).toBe(403);
      expect((await ada.get(path)).status, path).toBe(403);
      expect((await t.anonymous.get(path)).status, path).toBe(401);
    }
    const writes: [string, unknown][] = [
      ['AssignSession', { sessionId: v.sessionId, agentId: demoUserId('jamie') }],
      ['JoinSession', { sessionId: v.sessionId }],
      ['ReleaseSession', { sessionId: v.sessionId }],
      ['PostAgentMessage', { sessionId: v.sessionId, messageId: randomUUID(), body: 'x' }],
      ['CloseSession', { sessionId: v.sessionId }],
      ['LinkSessionToTicket', { sessionId: v.sessionId, ticketId }],
      ['CreateTicket', { ticketId: randomUUID(), subject: 'x' }],
      ['ChangeTicketStatus', { ticketId, status: 'solved' }],
      ['AddTicketComment', { ticketId, commentId: randomUUID(), body: 'x' }],
      ['PublishArticle', { articleId: randomUUID(), title: 'x', body: 'y' }],
    ];
    for (const [name, body] of writes) {
      expect((await jamie.command(name, body)).status, name).toBe(403);
      expect((await ada.command(name, body)).status, name).toBe(403);
    }
    // Agents do not edit the knowledge base; managers do. The internal commands have no public route.
    expect(
      (await mitch.command('PublishArticle', { articleId: randomUUID(), title: 'x', body: 'y' })).status,
    ).toBe(403);
    for (const internal of [
      'SuggestArticles',
      'StartVisitorSession',
      'PostVisitorMessage',
      'MarkSuggestionSolved',
    ])
      expect((await emma.command(internal, {})).status, internal).toBe(404);
  });

  it('stores message text as plain text, returned verbatim as JSON', async () => {
    const v = await startVisitor(t, { name: '<b>Bold</b> & co' });
    const html = '<script>alert("x")</script> <img src=x onerror=alert(1)>';
    await v.say(html);
    const view = await v.view();
    expect(view.headers.get('content-type')).toMatch(/^application\/json/);
    expect(view.body.messages[0].body).toBe(html);
    expect((await session(emma, v)).visitorName).toBe('<b>Bold</b> & co');
  });
});
