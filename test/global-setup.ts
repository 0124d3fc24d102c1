import type { TestProject } from 'vitest/node';

/**
 * Chooses the database for the run: DATABASE_URL when set; else a Postgres container when a
 * container runtime answers; else every test uses an in-memory PGlite (tests that need a real
 * server for concurrency say so and skip). Likewise for EventStoreDB: ESDB_URL, else a container.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stops: (() => Promise<unknown>)[] = [];
  const runtime = await containerRuntime();
  if (!process.env.DATABASE_URL && runtime) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:16-alpine').start();
    process.env.DATABASE_URL = container.getConnectionUri();
    stops.push(() => container.stop());
  }
  if (!process.env.ESDB_URL && runtime) {
    const { GenericContainer } = await import('testcontainers');
    const container = await new GenericContainer('eventstore/eventstore:24.10')
      .withEnvironment({ EVENTSTORE_INSECURE: 'true', EVENTSTORE_RUN_PROJECTIONS: 'None', EVENTSTORE_MEM_DB: 'true' })
      .withExposedPorts(2113)
      .start();
    process.env.ESDB_URL = `esdb://${container.getHost()}:${container.getMappedPort(2113)}?tls=false`;
    stops.push(() => container.stop());
  }
  project.provide('databaseUrl', process.env.DATABASE_URL ?? '');
  project.provide('esdbUrl', process.env.ESDB_URL ?? '');
  return async () => {
    for (const stop of stops) await stop();
  };
}

async function containerRuntime(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await Promise.race([
      getContainerRuntimeClient(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 3_000)),
    ]);
    return true;
  } catch {
    return false;
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    esdbUrl: string;
  }
}
