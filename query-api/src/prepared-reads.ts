import { PREPARED } from '@chat/platform';
import { sql, type Kysely, type RawBuilder } from 'kysely';

/** The queries of polls, as prepared statements on Postgres (see PREPARED). */
export class PreparedReads {
  constructor(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    private readonly db: Kysely<any>,
  ) {}

  async rows<T>(query: RawBuilder<T>): Promise<T[]> {
    return (await sql<T>`${PREPARED}${query}`.execute(this.db)).rows;
  }
}
