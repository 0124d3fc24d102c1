import type { CommandBus, Issuer } from '@chat/command-api';
import type { Role } from '@chat/events';
import { demoId } from './ids';
import { seedLiveChat } from './live-chat';
import { seedTeamChat } from './team-chat';

export const DEMO_PASSWORD = 'demo';

export const demoUsers: { key: string; email: string; name: string; role: Role }[] = [
  { key: 'emma', email: 'emma@demo.local', name: 'Emma', role: 'SUPER_ADMIN' },
  { key: 'mitch', email: 'mitch@demo.local', name: 'Mitch', role: 'AGENT' },
  { key: 'jamie', email: 'jamie@demo.local', name: 'Jamie', role: 'USER' },
  { key: 'morgan', email: 'morgan@demo.local', name: 'Morgan', role: 'MANAGER' },
  { key: 'ada', email: 'ada@demo.local', name: 'Ada', role: 'AUDITOR' },
];

export const demoUserId = (key: string) => demoId(`user:${key}`);

/** Acting as a demo user, as if they had signed in. */
export function asDemoUser(key: string): Issuer {
  const user = demoUsers.find((u) => u.key === key)!;
  return { kind: 'user', principal: { userId: demoUserId(key), role: user.role, sessionId: 'seed' } };
}

export type SeedStep = (bus: CommandBus) => Promise<void>;

/** Further parts of the demo organisation (channels, sessions, articles) register here. */
export const demoSeedSteps: SeedStep[] = [seedTeamChat, seedLiveChat];

/**
 * The demo organisation, written as commands through the normal pipeline so that it is in the
 * event history like everything else. Every id is stable: seeding twice changes nothing.
 */
export async function seedDemo(bus: CommandBus): Promise<void> {
  for (const user of demoUsers) {
    await bus.execute({
      name: 'CreateUser',
      issuer: { kind: 'system', id: 'seed' },
      body: { userId: demoUserId(user.key), email: user.email, name: user.name, role: user.role, password: DEMO_PASSWORD },
    });
  }
  for (const step of demoSeedSteps) await step(bus);
}
