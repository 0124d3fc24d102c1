import type { CommandBus } from '@chat/command-api';
import { directMessageChannelId } from '@chat/events';
import { asDemoUser, demoUserId } from './demo';
import { demoId } from './ids';

export const demoChannelId = (name: string) => demoId(`channel:${name}`);
const messageId = (key: string) => demoId(`message:${key}`);

/**
 * Team chat of the demo organisation: public #general and #ops with a short conversation between
 * Emma, Mitch and Jamie (one message edited, some reactions, one quote-reply), private #proj-014
 * of Emma and Mitch, and a DM between Emma and Jamie. Stable ids: running it twice changes nothing.
 */
export async function seedTeamChat(bus: CommandBus): Promise<void> {
  const as = (user: string, name: string, body: Record<string, unknown>) =>
    bus.execute({ name, body, issuer: asDemoUser(user) });
  const post = (
    user: string,
    channel: string,
    key: string,
    body: string,
    extra: Record<string, unknown> = {},
  ) => as(user, 'PostMessage', { channelId: channel, messageId: messageId(key), body, ...extra });

  const general = demoChannelId('general');
  const ops = demoChannelId('ops');
  const project = demoChannelId('proj-014');
  await as('emma', 'CreateChannel', {
    channelId: general,
    name: 'general',
    visibility: 'public',
    description: 'Company-wide news and chatter',
  });
  await as('emma', 'CreateChannel', {
    channelId: ops,
    name: 'ops',
    visibility: 'public',
    description: 'Operations: releases, incidents, maintenance',
  });
  await as('emma', 'CreateChannel', {
    channelId: project,
    name: 'proj-014',
    visibility: 'private',
    description: 'Carms Court refurbishment',
  });
  for (const user of ['mitch', 'jamie', 'morgan']) await as(user, 'JoinChannel', { channelId: general });
  for (const user of ['mitch', 'jamie']) await as(user, 'JoinChannel', { channelId: ops });
  await as('emma', 'AddChannelMember', { channelId: project, userId: demoUserId('mitch') });

  await post('emma', general, 'general-1', 'Welcome to #general! This is where the whole team talks.');
  await post('mitch', general, 'general-2', 'Morning all, the new support queue goes live today.');
  await as('mitch', 'EditMessage', {
    messageId: messageId('general-2'),
    body: 'Morning all, the new Live chat queue goes live today.',
  });
  await post('jamie', general, 'general-3', 'Great news! Will there be a walkthrough for the team?');
  await as('emma', 'ReactToMessage', { messageId: messageId('general-2'), emoji: '🎉' });
  await as('jamie', 'ReactToMessage', { messageId: messageId('general-2'), emoji: '🎉' });
  await post('emma', general, 'general-4', "Yes: Thursday at 10:00, I'll send everyone an invite.", {
    quotedMessageId: messageId('general-3'),
  });
  await as('jamie', 'ReactToMessage', { messageId: messageId('general-4'), emoji: '👍' });

  await post('mitch', ops, 'ops-1', 'Heads-up: database maintenance tonight from 22:00 to 22:30.');
  await post('jamie', ops, 'ops-2', "Thanks, I'll pause the nightly exports.");
  await as('mitch', 'ReactToMessage', { messageId: messageId('ops-2'), emoji: '✅' });

  await post('emma', project, 'proj-1', 'Kick-off notes for Carms Court are in the shared drive.');
  await post('mitch', project, 'proj-2', 'Got them, thanks. Site visit is booked for Monday.');

  await as('emma', 'OpenDirectMessage', { userId: demoUserId('jamie') });
  const dm = directMessageChannelId(demoUserId('emma'), demoUserId('jamie'));
  await post('emma', dm, 'dm-1', 'Hi Jamie, do you have a minute for the onboarding checklist?');
  await post('jamie', dm, 'dm-2', 'Sure, I can call you in five minutes.');
}
