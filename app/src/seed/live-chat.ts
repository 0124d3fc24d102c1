import type { CommandBus, Issuer } from '@chat/command-api';
import { suggestionIdFor } from '@chat/events';
import { AppError } from '@chat/platform';
import { asDemoUser } from './demo';
import { demoId } from './ids';

/** The demo knowledge base: what the bot suggests and agents link to. */
export const demoArticles = [
  {
    key: 'password-reset',
    title: 'Reset your password',
    body:
      'If you forgot your password or it has expired, open the sign-in page and choose "Forgot password". ' +
      'We email you a reset link that works for 30 minutes; pick a new password of at least 12 characters. ' +
      'No email after five minutes? Check your spam folder, or ask the service desk to unlock your account.',
  },
  {
    key: 'vpn-setup',
    title: 'Set up the VPN',
    body:
      'To work from home or while travelling, install the VPN client from the self-service portal, sign in with your work ' +
      'email and approve the MFA prompt. Choose the gateway nearest to you. If the connection keeps dropping, switch ' +
      'networks or restart the client; a VPN that never connects usually means an expired certificate: reinstall the client.',
  },
  {
    key: 'agent-install',
    title: 'Download link for the agent installer',
    body:
      'The device agent must be installed on every company laptop. Download the installer from the self-service portal ' +
      'under Software > Agent (Windows and macOS) and run it as an administrator; the device registers itself. ' +
      'The download link asks you to sign in with your work account.',
  },
  {
    key: 'printer-offline',
    title: 'Printer shows as offline',
    body:
      'When a printer shows as offline, check that it is switched on and connected to the network, then remove it and ' +
      'add it again under Settings > Printers. Clear stuck jobs from the print queue. Floor printers restart every night.',
  },
  {
    key: 'invoice-copy',
    title: 'Get a copy of an invoice',
    body:
      'You can download a copy of any invoice from your account: open Billing, choose Invoices and click the PDF icon. ' +
      'For invoices older than two years, write to our accounts team and we send a copy within two working days.',
  },
  {
    key: 'mfa-enrolment',
    title: 'Enrol in multi-factor authentication (MFA)',
    body:
      'Multi-factor authentication protects your account with a second step at sign-in. Install an authenticator app on ' +
      'your phone, open Security settings, choose "Enrol MFA" and scan the QR code. Keep the recovery codes somewhere ' +
      'safe. A new phone has to be enrolled again.',
  },
] as const;

export const demoArticleId = (key: (typeof demoArticles)[number]['key']) => demoId(`article:${key}`);
export const demoSessionId = (key: string) => demoId(`session:${key}`);
const messageId = (session: string, n: number) => demoId(`session:${session}:message:${n}`);

/**
 * The demo Live chat: the knowledge base, a WAITING session from Jane (the bot answers her), an
 * ACTIVE one with Emma, several CLOSED ones (one self-served), and a ticket made from a session.
 * Seeding again changes nothing: every id is stable and every command a no-op the second time.
 */
export async function seedLiveChat(bus: CommandBus): Promise<void> {
  /** Runs a command; a closed session refusing a step that already happened is fine on a second run. */
  const run = async (name: string, issuer: Issuer, body: unknown) => {
    try {
      await bus.execute({ name, issuer, body });
    } catch (error) {
      if (error instanceof AppError && error.code === 'SESSION_CLOSED') return;
      throw error;
    }
  };
  const emma = asDemoUser('emma');
  const mitch = asDemoUser('mitch');
  const morgan = asDemoUser('morgan');

  for (const article of demoArticles) {
    await run('PublishArticle', morgan, {
      articleId: demoArticleId(article.key),
      title: article.title,
      body: article.body,
    });
  }

  const session = (key: string, visitorName: string, visitorEmail?: string) => {
    const sessionId = demoSessionId(key);
    const visitor: Issuer = { kind: 'visitor', sessionId };
    let n = 0;
    return {
      sessionId,
      start: () =>
        run('StartVisitorSession', visitor, {
          sessionId,
          visitorName,
          ...(visitorEmail ? { visitorEmail } : {}),
          widgetKey: 'demo',
        }),
      visitorSays: (body: string) =>
        run('PostVisitorMessage', visitor, { sessionId, messageId: messageId(key, ++n), body }),
      agentSays: (agent: Issuer, body: string) =>
        run('PostAgentMessage', agent, { sessionId, messageId: messageId(key, ++n), body }),
      lastMessageId: () => messageId(key, n),
      visitor,
    };
  };

  // Waiting for an agent; the knowledge-base bot answers each of her questions.
  const jane = session('jane', 'Jane (visitor)', 'jane@example.com');
  await jane.start();
  await jane.visitorSays('Hi! I cannot sign in to my account any more.');
  await jane.visitorSays('I think I forgot my password. How do I reset it?');
  await jane.visitorSays('Also, the VPN keeps dropping when I work from home.');

  // In conversation with Emma; the visitor's last question is still unanswered.
  const liam = session('liam', 'Liam Turner', 'liam.turner@example.com');
  await liam.start();
  await run('JoinSession', emma, { sessionId: liam.sessionId });
  await liam.visitorSays('Hello, we were charged twice this month.');
  await liam.agentSays(emma, 'Sorry about that! Let me look at your billing history.');
  await liam.visitorSays('Thanks. The second charge was on the 3rd.');

  // Closed by Mitch, and carried over into a helpdesk ticket.
  const noah = session('noah', 'Noah Patel', 'noah.patel@example.com');
  await noah.start();
  await noah.visitorSays('The printer on floor 2 has been offline since this morning.');
  await run('JoinSession', mitch, { sessionId: noah.sessionId });
  await noah.agentSays(
    mitch,
    'Thanks Noah, I have asked facilities to look at it. I am opening a ticket so you can follow it.',
  );
  await run('LinkSessionToTicket', mitch, {
    sessionId: noah.sessionId,
    newTicket: { ticketId: demoId('ticket:printer-floor-2'), subject: 'Printer on floor 2 offline' },
  });
  await run('CloseSession', mitch, { sessionId: noah.sessionId });

  // The visitor said thanks and left.
  const olivia = session('olivia', 'Olivia Chen');
  await olivia.start();
  await run('JoinSession', morgan, { sessionId: olivia.sessionId });
  await olivia.visitorSays('Where do I find the agent installer for my new laptop?');
  await olivia.agentSays(
    morgan,
    'In the self-service portal under Software > Agent. I will send you the link.',
  );
  await olivia.visitorSays('Found it, thank you!');
  await run('CloseSession', olivia.visitor, { sessionId: olivia.sessionId });

  // Self-served: a suggested article solved it. The suggestion has the bot's own id, so when the
  // bot reaches this message it finds its answer already given.
  const sam = session('sam', 'Sam Rivera', 'sam@example.org');
  await sam.start();
  await sam.visitorSays('How can I get a copy of my invoice?');
  const invoice = demoArticleId('invoice-copy');
  await run(
    'SuggestArticles',
    { kind: 'system', id: 'kb-bot' },
    {
      sessionId: sam.sessionId,
      suggestionId: suggestionIdFor(sam.sessionId, sam.lastMessageId()),
      inReplyTo: sam.lastMessageId(),
      articles: [{ articleId: invoice, title: 'Get a copy of an invoice' }],
    },
  );
  await run('MarkSuggestionSolved', sam.visitor, { sessionId: sam.sessionId, articleId: invoice });

  // Closed by the agent without a ticket.
  const ava = session('ava', 'Ava Martins');
  await ava.start();
  await run('JoinSession', mitch, { sessionId: ava.sessionId });
  await ava.visitorSays('Is the service desk open on Saturdays?');
  await ava.agentSays(mitch, 'Yes, from 9:00 to 13:00.');
  await run('CloseSession', mitch, { sessionId: ava.sessionId });

  // A ticket of its own, opened by an agent.
  await run('CreateTicket', mitch, {
    ticketId: demoId('ticket:vpn-certificate'),
    subject: 'VPN certificate expired for the sales team',
    requesterName: 'Grace Kim',
    requesterEmail: 'grace.kim@example.com',
  });
}
