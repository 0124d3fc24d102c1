import type { ApiClient } from '@chat/app/testing/test-system';

/**
 * Makes every client's reads wait for every client's writes (X-Min-Position of the newest write
 * of any of them), as one person watching several screens would expect. A read the query API
 * marks stale (the read models had not caught up within its wait) is asked again: on a busy
 * shared Postgres the snapshot horizon can hold projections back for longer than one wait.
 */
export function shareWrites(clients: ApiClient[]): void {
  let newest: bigint | null = null;
  for (const client of clients) {
    const command = client.command.bind(client);
    client.command = async (name, body) => {
      const answer = await command(name, body);
      if (client.lastPosition && (newest === null || BigInt(client.lastPosition) > newest))
        newest = BigInt(client.lastPosition);
      for (const other of clients) other.lastPosition = newest?.toString() ?? null;
      return answer;
    };
    patientReads(client);
  }
}

/** Reads answered stale are retried until fresh (at most 30 s). */
export function patientReads(client: ApiClient): void {
  const get = client.get.bind(client);
  client.get = async (path, headers = {}) => {
    for (let attempt = 0; ; attempt++) {
      const answer = await get(path, headers);
      if (answer.headers.get('x-stale') !== 'true' || attempt >= 15) return answer;
    }
  };
}
