import { sql, type Kysely } from 'kysely';

/**
 * The position at which each read model last changed: the cheap version tag behind ETags.
 * Cached for a few milliseconds, like the checkpoints.
 */
export class ChangeVersions {
  private cached: { at: number; byName: Map<string, string> } | null = null;
  private inflight: Promise<Map<string, string>> | null = null;

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  constructor(private readonly db: Kysely<any>, private readonly freshMs = 5) {}

  async of(projector: string): Promise<string> {
    const byName = this.cached && Date.now() - this.cached.at < this.freshMs ? this.cached.byName : await this.refresh();
    return byName.get(projector) ?? '-1';
  }

  private refresh(): Promise<Map<string, string>> {
    this.inflight ??= (async () => {
      const { rows } = await sql<{ name: string; changed_position: string }>`
        SELECT name, changed_position FROM public.projection_checkpoints`.execute(this.db);
      const byName = new Map(rows.map((r) => [r.name, r.changed_position]));
      this.cached = { at: Date.now(), byName };
      return byName;
    })().finally(() => (this.inflight = null));
    return this.inflight;
  }
}
