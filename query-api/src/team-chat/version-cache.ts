import type { FastifyRequest } from 'fastify';
import type { ChangeVersions } from '../change-versions';

const POSITION = /^\d{1,20}$/;

/**
 * Per-viewer facts behind Team chat's ETags (a sidebar version, a channel's access and change
 * number), kept while the read model has not changed at all, so that an unchanged poll costs no
 * query of its own. An entry is used only if the projector's change position is the one it was
 * computed under, and if it already reflects the request's X-Min-Position (read-your-writes).
 */
export class TeamChatVersionCache {
  private readonly entries = new Map<string, { changed: string; reflects: bigint; value: unknown }>();

  constructor(
    private readonly versions: ChangeVersions,
    private readonly projector = 'team_chat',
    private readonly maxEntries = 50_000,
  ) {}

  async get<T>(request: FastifyRequest, key: string, compute: () => Promise<T>): Promise<T> {
    const changed = await this.versions.of(this.projector);
    const header = request.headers['x-min-position'];
    const wanted = typeof header === 'string' && POSITION.test(header) ? BigInt(header) : -1n;
    const hit = this.entries.get(key);
    if (hit && hit.changed === changed && wanted <= hit.reflects) return hit.value as T;
    const value = await compute();
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { changed, reflects: request.readPosition ?? -1n, value });
    return value;
  }
}
