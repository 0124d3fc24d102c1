import type { AuditLog, EventFilter, EventStore } from '@chat/events';
import { toWireEvent } from './wire';

const PAGE = 1_000;

/**
 * The filtered log as NDJSON, one page of events per chunk: memory holds one page whatever the
 * size of the export, and a slow reader slows the reading of the store (the stream is pulled).
 * It stops at the head it found when it started, so an export is one consistent range.
 */
export async function* exportNdjson(
  store: EventStore,
  log: AuditLog,
  filter: EventFilter,
  options: { after?: bigint; form: 'open' | 'stored' },
): AsyncGenerator<string> {
  const head = await store.headPosition();
  let cursor = options.after;
  for (;;) {
    const page = (await log.page(filter, { order: 'asc', cursor, limit: PAGE })).filter(
      (e) => e.position <= head,
    );
    if (page.length === 0) return;
    const events = options.form === 'open' ? await store.open(page) : page;
    let chunk = '';
    for (const event of events) chunk += `${JSON.stringify(toWireEvent(event))}\n`;
    yield chunk;
    cursor = page[page.length - 1]!.position;
    if (cursor >= head) return;
  }
}
