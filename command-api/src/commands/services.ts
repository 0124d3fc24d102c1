import type { Config, Logger, SessionStore } from '@chat/platform';
import type pg from 'pg';

/** What command handlers may use besides the event store (tables outside the event history). */
export interface CommandServices {
  pool: pg.Pool;
  sessions: SessionStore;
  config: Config;
  logger: Logger;
}
