import { randomUUID } from 'node:crypto';
import {
  chatSessionStream,
  CheckpointSigner,
  erasureStream,
  evolveChatSession,
  evolveUser,
  fold,
  initialChatSessionState,
  initialUserState,
  recordChainCheckpoint,
  userStream,
  userSubject,
  visitorSubject,
  WrongExpectedRevisionError,
  type PersonalDataErasedData,
} from '@chat/events';
import { ConflictError, masterKey, NotFoundError } from '@chat/platform';
import { z } from 'zod';
import { defineCommand, roles, systemOnly, userIdOf, type CommandContext } from '../commands/define';

const ErasureTarget = z.union([
  z.strictObject({ userId: z.uuid() }),
  z.strictObject({ sessionId: z.uuid() }),
]);
type ErasureTarget = z.infer<typeof ErasureTarget>;

/** What must hold before a person's data is destroyed: they exist and are no longer in use. */
async function checkErasable(
  context: CommandContext,
  target: ErasureTarget,
): Promise<{ email: string | null }> {
  if ('userId' in target) {
    const user = fold(
      { initialState: initialUserState, evolve: evolveUser },
      await context.store.readStream(userStream(target.userId)),
    );
    if (user.status === 'absent') throw new NotFoundError('No such user');
    if (user.status === 'active')
      throw new ConflictError('USER_ACTIVE', 'Deactivate the user before erasing their personal data');
    return { email: user.email };
  }
  const session = fold(
    { initialState: initialChatSessionState, evolve: evolveChatSession },
    await context.store.readStream(chatSessionStream(target.sessionId)),
  );
  if (session.status === 'absent') throw new NotFoundError('No such session');
  if (session.status !== 'CLOSED')
    throw new ConflictError('SESSION_OPEN', 'Close the session before erasing the visitor');
  return { email: null };
}

/**
 * The right to be forgotten: destroys the person's data key, so every encrypted field of theirs
 * reads "[erased]" from now on (history, audit API, read models once they handle the event),
 * while the hash chains, computed over the stored ciphertext, still verify. The event it records
 * names the subject by id only. Safe to repeat: a second erasure answers the first one's position.
 */
export const erasePersonalData = defineCommand({
  name: 'ErasePersonalData',
  summary: "Erase a deactivated user's or a closed Live chat visitor's personal data (SUPER_ADMIN)",
  body: ErasureTarget,
  allow: roles('SUPER_ADMIN'),
  handle: async (context, target) => {
    const kind = 'userId' in target ? 'user' : 'visitor';
    const subjectId = 'userId' in target ? target.userId : target.sessionId;
    const subject = kind === 'user' ? userSubject(subjectId) : visitorSubject(subjectId);
    const stream = erasureStream(subject);
    const done = await context.store.readStream(stream);
    if (done.length > 0) return { position: done[done.length - 1]!.position, subject };
    const { email } = await checkErasable(context, target);
    await context.store.vault.erase(subject);
    if (kind === 'user') {
      // Beside the history, only sign-in holds this person's data: the login email and sessions.
      const { pool, sessions } = context.services;
      await pool.query('DELETE FROM user_credentials WHERE user_id = $1', [subjectId]);
      if (email) await pool.query('DELETE FROM login_failures WHERE key = $1', [`email:${email}`]);
      await sessions.revokeAllOf(subjectId);
    }
    const data: PersonalDataErasedData = { subject, kind, subjectId, erasedBy: userIdOf(context.issuer) };
    try {
      const result = await context.store.append(
        stream,
        'no_stream',
        [{ id: randomUUID(), type: 'PersonalDataErased', data }],
        context.append,
      );
      return { position: result.position, subject };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      const first = await context.store.readStream(stream);
      return { position: first[first.length - 1]!.position, subject };
    }
  },
});

/**
 * Signs the heads of every hash chain into a checkpoint: sent by the periodic job and by
 * `npm run audit:verify -- --checkpoint`, never over HTTP.
 */
export const recordChainCheckpointCommand = defineCommand({
  name: 'RecordChainCheckpoint',
  summary: 'Sign the heads of every stream into a ChainCheckpointRecorded (system only)',
  body: z.strictObject({ checkpointId: z.uuid() }),
  allow: systemOnly,
  internal: true,
  handle: async (context, body) => {
    const signer = new CheckpointSigner(masterKey(context.services.config));
    try {
      const recorded = await recordChainCheckpoint(
        context.store,
        signer,
        context.append,
        body.checkpointId,
        randomUUID,
      );
      if (!recorded) return { position: await context.store.headPosition(), recorded: false };
      return { ...recorded, recorded: true };
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError)
        throw new ConflictError(
          'CHECKPOINT_RACE',
          'Another instance recorded a checkpoint at the same moment',
        );
      throw error;
    }
  },
});

export const auditCommands = [erasePersonalData, recordChainCheckpointCommand];
