import { evolveChatSession, initialChatSessionState, type LiveChatEvent } from '@chat/events';
import { describe, it } from 'vitest';
import { decideChatSession, type ChatSessionCommand } from '../../src/live-chat/decide';
import { given } from '../../src/testing/decider-spec';

const sessions = { initialState: initialChatSessionState, evolve: evolveChatSession };
const sessionId = '00000000-0000-4000-a000-000000000001';
const mitch = '00000000-0000-4000-a000-0000000000a1';
const emma = '00000000-0000-4000-a000-0000000000a2';
const m1 = '00000000-0000-4000-a000-0000000000b1';
const m2 = '00000000-0000-4000-a000-0000000000b2';
const article = '00000000-0000-4000-a000-0000000000c1';
const other = '00000000-0000-4000-a000-0000000000c2';
const suggestion = '00000000-0000-4000-a000-0000000000d1';
const ticket = '00000000-0000-4000-a000-0000000000e1';

const started: LiveChatEvent = {
  type: 'VisitorSessionStarted',
  data: { sessionId, visitorName: 'Jane', widgetKey: 'demo' },
};
const visitorSaid = (messageId = m1, body = 'hello'): LiveChatEvent => ({
  type: 'VisitorMessagePosted',
  data: { sessionId, messageId, body },
});
const assigned = (agentId = mitch, by = emma): LiveChatEvent => ({
  type: 'SessionAssigned',
  data: { sessionId, agentId, assignedBy: by },
});
const joined = (agentId = mitch): LiveChatEvent => ({
  type: 'AgentJoinedSession',
  data: { sessionId, agentId },
});
const agentSaid = (messageId = m2, agentId = mitch, body = 'hi'): LiveChatEvent => ({
  type: 'AgentMessagePosted',
  data: { sessionId, messageId, agentId, body },
});
const closedBy = (by: 'visitor' | 'agent' = 'visitor'): LiveChatEvent => ({
  type: 'SessionClosed',
  data:
    by === 'visitor'
      ? { sessionId, by, resolution: 'closed' }
      : { sessionId, by, agentId: mitch, resolution: 'closed' },
});
const suggested = (
  articles = [{ articleId: article, title: 'Reset' }],
  inReplyTo = m1,
  suggestionId = suggestion,
): LiveChatEvent => ({
  type: 'ArticlesSuggested',
  data: { sessionId, suggestionId, inReplyTo, articles },
});

const when = (history: LiveChatEvent[], command: ChatSessionCommand) =>
  given(sessions, history).when((s) => decideChatSession(command, s));

describe('a Live chat session', () => {
  describe('starting', () => {
    it('a visitor starts a WAITING session', () =>
      when([], { type: 'StartVisitorSession', sessionId, visitorName: 'Jane', widgetKey: 'demo' }).then([
        started,
      ]));
    it('starting it again is a retry', () =>
      when([started], {
        type: 'StartVisitorSession',
        sessionId,
        visitorName: 'Jane',
        widgetKey: 'demo',
      }).then([]));
    it('another start under a taken id is a conflict', () =>
      when([started], {
        type: 'StartVisitorSession',
        sessionId,
        visitorName: 'Bob',
        widgetKey: 'demo',
      }).thenThrows('SESSION_EXISTS', 409));
    it('nothing happens in a session that does not exist', () =>
      when([], { type: 'PostVisitorMessage', sessionId, messageId: m1, body: 'x' }).thenThrows(
        'NOT_FOUND',
        404,
      ));
  });

  describe('visitor messages', () => {
    it('the visitor writes', () =>
      when([started], { type: 'PostVisitorMessage', sessionId, messageId: m1, body: 'hello' }).then([
        visitorSaid(),
      ]));
    it('the same message again is a retry, even after the close', () =>
      when([started, visitorSaid(), closedBy()], {
        type: 'PostVisitorMessage',
        sessionId,
        messageId: m1,
        body: 'hello',
      }).then([]));
    it('another message under a used id is refused', () =>
      when([started, visitorSaid()], {
        type: 'PostVisitorMessage',
        sessionId,
        messageId: m1,
        body: 'different',
      }).thenThrows('MESSAGE_ID_TAKEN', 409));
    it('a CLOSED session takes no more messages', () =>
      when([started, closedBy()], {
        type: 'PostVisitorMessage',
        sessionId,
        messageId: m1,
        body: 'hello',
      }).thenThrows('SESSION_CLOSED', 409));
  });

  describe('assigning', () => {
    it('a manager assigns a waiting session to an agent; it stays WAITING', () =>
      when([started], { type: 'AssignSession', sessionId, agentId: mitch, byId: emma, isManager: true }).then(
        [assigned()],
      ));
    it('an agent may take it themself', () =>
      when([started], {
        type: 'AssignSession',
        sessionId,
        agentId: mitch,
        byId: mitch,
        isManager: false,
      }).then([assigned(mitch, mitch)]));
    it('an agent may not assign it to someone else', () =>
      when([started], {
        type: 'AssignSession',
        sessionId,
        agentId: emma,
        byId: mitch,
        isManager: false,
      }).thenThrows('FORBIDDEN', 403));
    it('assigning to the assignee again changes nothing', () =>
      when([started, assigned()], {
        type: 'AssignSession',
        sessionId,
        agentId: mitch,
        byId: emma,
        isManager: true,
      }).then([]));
    it("an agent cannot take another agent's session", () =>
      when([started, assigned(emma)], {
        type: 'AssignSession',
        sessionId,
        agentId: mitch,
        byId: mitch,
        isManager: false,
      }).thenThrows('SESSION_TAKEN', 409));
    it('a manager may hand it over to another agent, even while ACTIVE', () =>
      when([started, joined()], {
        type: 'AssignSession',
        sessionId,
        agentId: emma,
        byId: emma,
        isManager: true,
      }).then([assigned(emma, emma)]));
    it('a closed session is not assigned', () =>
      when([started, closedBy()], {
        type: 'AssignSession',
        sessionId,
        agentId: mitch,
        byId: emma,
        isManager: true,
      }).thenThrows('SESSION_CLOSED', 409));
  });

  describe('joining', () => {
    it('an agent takes an unassigned session and joins it in one step: ACTIVE', () =>
      when([started], { type: 'JoinSession', sessionId, agentId: mitch }).then([joined()]));
    it('the assignee joins', () =>
      when([started, assigned()], { type: 'JoinSession', sessionId, agentId: mitch }).then([joined()]));
    it('joining again changes nothing', () =>
      when([started, joined()], { type: 'JoinSession', sessionId, agentId: mitch }).then([]));
    it('a session assigned to another agent is taken, and says by whom', () =>
      when([started, assigned(emma)], { type: 'JoinSession', sessionId, agentId: mitch }).thenThrows(
        'SESSION_TAKEN',
        409,
      ));
    it('an ACTIVE session of another agent is taken', () =>
      when([started, joined(emma)], { type: 'JoinSession', sessionId, agentId: mitch }).thenThrows(
        'SESSION_TAKEN',
        409,
      ));
    it('a closed session is not joined', () =>
      when([started, closedBy()], { type: 'JoinSession', sessionId, agentId: mitch }).thenThrows(
        'SESSION_CLOSED',
        409,
      ));
  });

  describe('releasing', () => {
    it('the assignee puts it back in the queue', () =>
      when([started, joined()], { type: 'ReleaseSession', sessionId, byId: mitch, isManager: false }).then([
        { type: 'SessionReleased', data: { sessionId, agentId: mitch, releasedBy: mitch } },
      ]));
    it('a manager may release anyone', () =>
      when([started, assigned()], { type: 'ReleaseSession', sessionId, byId: emma, isManager: true }).then([
        { type: 'SessionReleased', data: { sessionId, agentId: mitch, releasedBy: emma } },
      ]));
    it("another agent may not release someone's session", () =>
      when([started, joined(emma)], {
        type: 'ReleaseSession',
        sessionId,
        byId: mitch,
        isManager: false,
      }).thenThrows('FORBIDDEN', 403));
    it('an unassigned session needs no release', () =>
      when([started], { type: 'ReleaseSession', sessionId, byId: mitch, isManager: false }).then([]));
    it('a released session can be taken by another agent', () =>
      when(
        [
          started,
          joined(emma),
          { type: 'SessionReleased', data: { sessionId, agentId: emma, releasedBy: emma } },
        ],
        {
          type: 'JoinSession',
          sessionId,
          agentId: mitch,
        },
      ).then([joined()]));
  });

  describe('agent messages', () => {
    it('the agent of an ACTIVE session replies', () =>
      when([started, joined()], {
        type: 'PostAgentMessage',
        sessionId,
        messageId: m2,
        agentId: mitch,
        body: 'hi',
      }).then([agentSaid()]));
    it('the first reply of an assigned WAITING session activates it', () =>
      when([started, assigned()], {
        type: 'PostAgentMessage',
        sessionId,
        messageId: m2,
        agentId: mitch,
        body: 'hi',
      }).then([joined(), agentSaid()]));
    it('nobody replies to an unassigned session before taking it', () =>
      when([started], {
        type: 'PostAgentMessage',
        sessionId,
        messageId: m2,
        agentId: mitch,
        body: 'hi',
      }).thenThrows('SESSION_NOT_TAKEN', 409));
    it("nobody replies in another agent's session", () =>
      when([started, joined(emma)], {
        type: 'PostAgentMessage',
        sessionId,
        messageId: m2,
        agentId: mitch,
        body: 'hi',
      }).thenThrows('SESSION_TAKEN', 409));
    it('the same reply again is a retry', () =>
      when([started, joined(), agentSaid()], {
        type: 'PostAgentMessage',
        sessionId,
        messageId: m2,
        agentId: mitch,
        body: 'hi',
      }).then([]));
    it("a reply may not reuse a visitor message's id", () =>
      when([started, visitorSaid(), joined()], {
        type: 'PostAgentMessage',
        sessionId,
        messageId: m1,
        agentId: mitch,
        body: 'hello',
      }).thenThrows('MESSAGE_ID_TAKEN'));
    it('a CLOSED session takes no replies', () =>
      when([started, joined(), closedBy('agent')], {
        type: 'PostAgentMessage',
        sessionId,
        messageId: m2,
        agentId: mitch,
        body: 'hi',
      }).thenThrows('SESSION_CLOSED', 409));
  });

  describe('closing', () => {
    it('the visitor closes', () =>
      when([started], { type: 'CloseSession', sessionId, by: { kind: 'visitor' } }).then([
        closedBy('visitor'),
      ]));
    it('the agent closes', () =>
      when([started, joined()], {
        type: 'CloseSession',
        sessionId,
        by: { kind: 'agent', agentId: mitch, isManager: false },
      }).then([closedBy('agent')]));
    it("another agent may not close someone's session", () =>
      when([started, joined(emma)], {
        type: 'CloseSession',
        sessionId,
        by: { kind: 'agent', agentId: mitch, isManager: false },
      }).thenThrows('SESSION_TAKEN'));
    it('any agent may close an unassigned one (spam)', () =>
      when([started], {
        type: 'CloseSession',
        sessionId,
        by: { kind: 'agent', agentId: mitch, isManager: false },
      }).then([closedBy('agent')]));
    it('closing twice changes nothing', () =>
      when([started, closedBy()], { type: 'CloseSession', sessionId, by: { kind: 'visitor' } }).then([]));
  });

  describe('the knowledge-base bot', () => {
    const suggest = (
      overrides: Partial<Extract<ChatSessionCommand, { type: 'SuggestArticles' }>> = {},
    ): ChatSessionCommand => ({
      type: 'SuggestArticles',
      sessionId,
      suggestionId: suggestion,
      inReplyTo: m1,
      articles: [{ articleId: article, title: 'Reset' }],
      ...overrides,
    });
    it('suggests articles for a visitor message', () =>
      when([started, visitorSaid()], suggest()).then([suggested()]));
    it('at most once per visitor message, whatever the suggestion id', () => {
      when([started, visitorSaid(), suggested()], suggest()).then([]);
      when(
        [started, visitorSaid(), suggested()],
        suggest({ suggestionId: '00000000-0000-4000-a000-0000000000d9' }),
      ).then([]);
    });
    it('never once an agent joined, even after a release', () => {
      when([started, visitorSaid(), joined()], suggest()).then([]);
      when(
        [
          started,
          joined(),
          { type: 'SessionReleased', data: { sessionId, agentId: mitch, releasedBy: mitch } },
          visitorSaid(),
        ],
        suggest(),
      ).then([]);
    });
    it('never in a closed session, and only for visitor messages', () => {
      when([started, visitorSaid(), closedBy()], suggest()).then([]);
      when([started], suggest()).then([]);
    });
    it('does not suggest an article twice in a session, and at most three', () => {
      const five = [
        article,
        other,
        '00000000-0000-4000-a000-0000000000c3',
        '00000000-0000-4000-a000-0000000000c4',
        '00000000-0000-4000-a000-0000000000c5',
      ];
      when(
        [started, visitorSaid(), suggested(), visitorSaid(m2, 'more')],
        suggest({
          inReplyTo: m2,
          suggestionId: '00000000-0000-4000-a000-0000000000d2',
          articles: five.map((articleId) => ({ articleId, title: 'T' })),
        }),
      ).then([
        suggested(
          five.slice(1, 4).map((articleId) => ({ articleId, title: 'T' })),
          m2,
          '00000000-0000-4000-a000-0000000000d2',
        ),
      ]);
      when(
        [started, visitorSaid(), suggested(), visitorSaid(m2, 'more')],
        suggest({ inReplyTo: m2, suggestionId: '00000000-0000-4000-a000-0000000000d2' }),
      ).then([]);
    });
  });

  describe('self-service', () => {
    it('a suggested article solved it: closed as self-served', () =>
      when([started, visitorSaid(), suggested()], {
        type: 'MarkSuggestionSolved',
        sessionId,
        articleId: article,
      }).then([
        {
          type: 'SessionClosed',
          data: { sessionId, by: 'visitor', resolution: 'self-served', articleId: article },
        },
      ]));
    it('only a suggested article counts', () =>
      when([started, visitorSaid(), suggested()], {
        type: 'MarkSuggestionSolved',
        sessionId,
        articleId: other,
      }).thenThrows('NOT_SUGGESTED', 404));
    it('saying so twice changes nothing; after another close it is too late', () => {
      const solved: LiveChatEvent = {
        type: 'SessionClosed',
        data: { sessionId, by: 'visitor', resolution: 'self-served', articleId: article },
      };
      when([started, visitorSaid(), suggested(), solved], {
        type: 'MarkSuggestionSolved',
        sessionId,
        articleId: article,
      }).then([]);
      when([started, visitorSaid(), suggested(), closedBy()], {
        type: 'MarkSuggestionSolved',
        sessionId,
        articleId: article,
      }).thenThrows('SESSION_CLOSED');
    });
  });

  describe('tickets', () => {
    const link: ChatSessionCommand = {
      type: 'LinkSessionToTicket',
      sessionId,
      ticketId: ticket,
      agentId: mitch,
    };
    const linked: LiveChatEvent = {
      type: 'SessionLinkedToTicket',
      data: { sessionId, ticketId: ticket, agentId: mitch },
    };
    it('links to a ticket, also once closed', () => when([started, closedBy()], link).then([linked]));
    it('linking again is a retry', () => when([started, linked], link).then([]));
    it('a session belongs to one ticket', () =>
      when([started, linked], { ...link, ticketId: '00000000-0000-4000-a000-0000000000e2' }).thenThrows(
        'ALREADY_LINKED',
        409,
      ));
  });
});
