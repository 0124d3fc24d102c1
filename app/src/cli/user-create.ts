import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline/promises';
import { createCommandBus } from '@chat/command-api';
import { Role } from '@chat/events';
import { createLogger, loadConfig, openPlatform } from '@chat/platform';
import { fail, parseArgs } from './args';

/**
 * Creates a user on a real deployment, typically the first SUPER_ADMIN, through the normal
 * command pipeline (so it is in the event history, issued by the system).
 * `npm run user:create -- --email a@b.c --name "Ann" --role SUPER_ADMIN` (password asked, or PASSWORD).
 */
const { flags } = parseArgs(process.argv.slice(2));
const email = flags.get('email');
const role = Role.safeParse(flags.get('role') ?? 'SUPER_ADMIN');
if (typeof email !== 'string') fail('usage: npm run user:create -- --email <email> [--name <name>] [--role SUPER_ADMIN|ADMIN|MANAGER|AGENT|USER|AUDITOR]');
if (!role.success) fail(`--role must be one of ${Role.options.join(', ')}`);
const name = typeof flags.get('name') === 'string' ? (flags.get('name') as string) : email.split('@')[0]!;
let password = process.env.PASSWORD;
if (!password) {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  password = await rl.question('Password: ');
  rl.close();
}
const config = loadConfig({ ...process.env, SEED_DEMO: 'false' });
const platform = await openPlatform(config, createLogger('warn'));
try {
  const answer = await createCommandBus(platform).execute({
    name: 'CreateUser',
    issuer: { kind: 'system', id: 'cli' },
    body: { userId: randomUUID(), email, name, role: role.data, password },
  });
  process.stdout.write(`created ${email} (${role.data}) at position ${answer.position}\n`);
} catch (error) {
  fail(`could not create the user: ${(error as Error).message}`);
} finally {
  await platform.close();
}
