import { randomUUID } from 'node:crypto';
import type { CommandBus } from '@chat/command-api';
import { AppError, type Config, type Logger } from '@chat/platform';

/** Records a signed checkpoint of every chain's head now (RecordChainCheckpoint, as the system). */
export function recordCheckpointNow(bus: CommandBus) {
  return bus.execute({
    name: 'RecordChainCheckpoint',
    body: { checkpointId: randomUUID() },
    issuer: { kind: 'system', id: 'audit-checkpoint' },
  });
}

/**
 * Every AUDIT_CHECKPOINT_INTERVAL_S, signs the heads of the hash chains into a checkpoint, so
 * that a later deletion of a stream's tail is detected by `audit:verify`. Runs where the
 * projections run; of several instances, the one that appends first wins, the others stand by.
 * Each checkpoint is also logged: a copy outside the database to compare with.
 */
export function startChainCheckpoints(bus: CommandBus, config: Config, logger: Logger): { stop(): void } {
  if (config.AUDIT_CHECKPOINT_INTERVAL_S <= 0) return { stop: () => undefined };
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    recordCheckpointNow(bus)
      .then((answer) => {
        if (answer.recorded)
          logger.info(
            {
              checkpoint: {
                ...answer,
                position: String(answer.position),
                upToPosition: String(answer.upToPosition),
              },
            },
            'chain checkpoint signed',
          );
      })
      .catch((error: unknown) => {
        if (error instanceof AppError && error.code === 'CHECKPOINT_RACE')
          logger.debug('another instance signed this checkpoint');
        else logger.error({ err: error }, 'chain checkpoint failed; trying again at the next interval');
      })
      .finally(() => {
        running = false;
      });
  }, config.AUDIT_CHECKPOINT_INTERVAL_S * 1_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
