import type { CheckpointWatcher } from './consistency/checkpoint-watcher';

/**
 * The position at which each read model last changed: the cheap version tag behind ETags. Read
 * with the checkpoints, so it costs no query of its own, and none at all while nothing changes.
 */
export class ChangeVersions {
  constructor(private readonly watcher: CheckpointWatcher) {}

  of(projector: string): Promise<string> {
    return this.watcher.changedPosition(projector);
  }
}
