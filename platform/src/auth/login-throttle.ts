import type pg from 'pg';

/**
 * Failed sign-ins per account and per address, counted in the database so every API instance
 * sees them: past the limit within `windowMinutes` further attempts answer 429. An address may
 * fail more often than an account (an office shares one address).
 */
export class LoginThrottle {
  constructor(
    private readonly pool: pg.Pool,
    readonly maxPerAccount = 5,
    readonly maxPerAddress = 50,
    readonly windowMinutes = 15,
  ) {}

  /** Seconds until the keys (`email:...`, `ip:...`) may try again, or 0. */
  async blockedFor(keys: string[]): Promise<number> {
    const { rows } = await this.pool.query<{ wait: number }>(
      `SELECT ceil(extract(epoch FROM (window_start + make_interval(mins => $4) - now())))::int AS wait
       FROM login_failures
       WHERE key = ANY($1) AND failures >= CASE WHEN key LIKE 'ip:%' THEN $3::int ELSE $2::int END
         AND window_start + make_interval(mins => $4) > now()`,
      [keys, this.maxPerAccount, this.maxPerAddress, this.windowMinutes],
    );
    return Math.max(0, ...rows.map((r) => r.wait));
  }

  async recordFailure(keys: string[]): Promise<void> {
    for (const key of keys) {
      await this.pool.query(
        `INSERT INTO login_failures (key, failures, window_start) VALUES ($1, 1, now())
         ON CONFLICT (key) DO UPDATE SET
           failures = CASE WHEN login_failures.window_start + make_interval(mins => $2) < now() THEN 1 ELSE login_failures.failures + 1 END,
           window_start = CASE WHEN login_failures.window_start + make_interval(mins => $2) < now() THEN now() ELSE login_failures.window_start END`,
        [key, this.windowMinutes],
      );
    }
  }

  async reset(keys: string[]): Promise<void> {
    await this.pool.query('DELETE FROM login_failures WHERE key = ANY($1)', [keys]);
  }
}
