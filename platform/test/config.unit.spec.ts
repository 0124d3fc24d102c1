import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config';

describe('configuration', () => {
  it('defaults to the embedded mode with the demo seed, on localhost', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ EVENT_STORE: 'pglite', SEED_DEMO: true, PORT: 3000, HOST: '127.0.0.1', DATA_DIR: './data' });
  });

  it('uses Postgres when DATABASE_URL is set, and then needs the data key secret', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://x@h/db' })).toThrow(/DATA_KEY_SECRET/);
    const config = loadConfig({ DATABASE_URL: 'postgres://x@h/db', DATA_KEY_SECRET: 'a'.repeat(64) });
    expect(config).toMatchObject({ EVENT_STORE: 'postgres', SEED_DEMO: false, HOST: '0.0.0.0' });
  });

  it('names the variable of a bad value', () => {
    for (const [env, variable] of [
      [{ PORT: 'eighty' }, 'PORT'],
      [{ EVENT_STORE: 'mysql' }, 'EVENT_STORE'],
      [{ WIDGET_SITES: '[{"key":"x"}]' }, 'WIDGET_SITES'],
      [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
      [{ EVENT_STORE: 'esdb', DATABASE_URL: 'postgres://x@h/db', DATA_KEY_SECRET: 'a'.repeat(64) }, 'ESDB_URL'],
    ] as const) {
      let error: unknown;
      try {
        loadConfig(env);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain(variable);
    }
  });

  it('parses the widget sites', () => {
    const config = loadConfig({ WIDGET_SITES: '[{"key":"acme","origins":["https://acme.example"]}]' });
    expect(config.WIDGET_SITES).toEqual([{ key: 'acme', origins: ['https://acme.example'], greeting: 'Hi! How can we help?', color: '#2563eb' }]);
  });
});
