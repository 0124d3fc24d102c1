import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SqlAuditLog } from '@chat/events';
import { createLogger, loadConfig, openPlatform } from '@chat/platform';
import { exportNdjson } from '@chat/query-api/audit/export';

/**
 * The replay benchmark's export phase, in a process of its own: the whole log as decrypted
 * NDJSON, as the audit API streams it, into a sink that only counts. Prints bytes and seconds.
 */
const config = loadConfig({ ...process.env, SEED_DEMO: 'false' });
const platform = await openPlatform(config, createLogger('warn'));
try {
  const log = new SqlAuditLog(platform.database.pool);
  await log.migrate();
  let bytes = 0;
  const started = performance.now();
  await pipeline(
    Readable.from(exportNdjson(platform.store, log, {}, { form: 'open' })),
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        done();
      },
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`exported ${bytes} bytes in ${seconds.toFixed(2)} s\n`);
} finally {
  await platform.close();
}
