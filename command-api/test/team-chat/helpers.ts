import type { ApiClient } from '@chat/app/testing/test-system';

/**
 * Makes every client's reads wait for every client's writes (X-Min-Position of the newest write
 * of any of them), as one person watching several screens would expect.
 */
export function shareWrites(clients: ApiClient[]): void {
  let newest: bigint | null = null;
  for (const client of clients) {
    const command = client.command.bind(client);
    client.command = async (name, body) => {
      const answer = await command(name, body);
      if (client.lastPosition && (newest === null || BigInt(client.lastPosition) > newest)) newest = BigInt(client.lastPosition);
      for (const other of clients) other.lastPosition = newest?.toString() ?? null;
      return answer;
    };
  }
}
