import { describe, expect, it } from 'vitest';
import { allCommands } from '../../src/app';
import type { Issuer } from '../../src/commands/define';

const as = (role: string): Issuer => ({
  kind: 'user',
  principal: { userId: '00000000-0000-4000-8000-000000000001', role: role as never, sessionId: 's' },
});

/** What an auditor may still do for themselves; everything else would add to the history they audit. */
const AUDITOR_MAY = ['ChangePassword'];

describe('auditors read the history, they never make it', () => {
  it('every command a user can send refuses an AUDITOR, but their own password change', () => {
    const allowed = allCommands.filter((c) => !c.internal && c.allow(as('AUDITOR'))).map((c) => c.name);
    expect(allowed).toEqual(AUDITOR_MAY);
  });

  it('Team chat commands still accept every other role', () => {
    for (const role of ['SUPER_ADMIN', 'ADMIN', 'MANAGER', 'AGENT', 'USER'])
      expect(allCommands.find((c) => c.name === 'PostMessage')!.allow(as(role)), role).toBe(true);
  });

  it('only a SUPER_ADMIN erases personal data; only the system signs checkpoints', () => {
    const erase = allCommands.find((c) => c.name === 'ErasePersonalData')!;
    expect(
      ['SUPER_ADMIN', 'ADMIN', 'MANAGER', 'AGENT', 'USER', 'AUDITOR'].filter((r) => erase.allow(as(r))),
    ).toEqual(['SUPER_ADMIN']);
    const checkpoint = allCommands.find((c) => c.name === 'RecordChainCheckpoint')!;
    expect(checkpoint.internal).toBe(true);
    expect(checkpoint.allow(as('SUPER_ADMIN'))).toBe(false);
    expect(checkpoint.allow({ kind: 'system', id: 'audit-checkpoint' })).toBe(true);
  });
});
