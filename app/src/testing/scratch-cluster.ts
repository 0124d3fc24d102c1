import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, chownSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';

/** The machine's PostgreSQL binaries (Debian layout), or null when there are none. */
export function postgresBinaries(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const version = readdirSync(root).sort().pop();
  const bin = version ? path.join(root, version, 'bin') : null;
  return bin && existsSync(path.join(bin, 'initdb')) ? bin : null;
}

/**
 * A PostgreSQL cluster of a test's own, on its own port, that the test may stop and start at will
 * (never the machine's shared server). As root it runs as the `postgres` user.
 */
export class ScratchCluster {
  readonly dir: string;
  readonly url: string;

  private constructor(
    private readonly bin: string,
    readonly port: number,
  ) {
    this.dir = mkdtempSync(path.join(tmpdir(), 'pg-scratch-'));
    this.url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  }

  /** Initialises and starts a cluster on a port of its own (see `freePort`). */
  static async create(): Promise<ScratchCluster> {
    const bin = postgresBinaries();
    if (!bin) throw new Error('no PostgreSQL binaries on this machine');
    const cluster = new ScratchCluster(bin, await freePort());
    if (userInfo().uid === 0) chownSync(cluster.dir, uidOf('postgres'), gidOf('postgres'));
    cluster.run('initdb', ['-D', path.join(cluster.dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    cluster.start();
    return cluster;
  }

  start(): void {
    this.run('pg_ctl', [
      '-D', path.join(this.dir, 'data'), '-l', path.join(this.dir, 'log'), '-w',
      '-o', `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start',
    ]);
  }

  stop(mode: 'fast' | 'immediate' = 'fast'): void {
    this.run('pg_ctl', ['-D', path.join(this.dir, 'data'), '-m', mode, '-w', 'stop']);
  }

  destroy(): void {
    spawnSync(...this.command('pg_ctl', ['-D', path.join(this.dir, 'data'), '-m', 'immediate', 'stop']), { stdio: 'ignore' });
    rmSync(this.dir, { recursive: true, force: true });
  }

  private run(tool: string, args: string[]): void {
    const [file, argv] = this.command(tool, args);
    execFileSync(file, argv, { stdio: 'ignore' });
  }

  private command(tool: string, args: string[]): [string, string[]] {
    const binary = path.join(this.bin, tool);
    return userInfo().uid === 0 ? ['runuser', ['-u', 'postgres', '--', binary, ...args]] : [binary, args];
  }
}

/**
 * A port nothing listens on, below the range the kernel hands to outgoing connections: a port in
 * that range can be taken by any client connection between the test's stop and start.
 */
async function freePort(): Promise<number> {
  const range = '/proc/sys/net/ipv4/ip_local_port_range';
  const ephemeralFrom = existsSync(range) ? Number(readFileSync(range, 'utf8').trim().split(/\s+/)[0]) : 32_768;
  const low = 20_000;
  const high = Math.max(low + 1_000, ephemeralFrom);
  for (let tries = 0; ; tries++) {
    const port = low + Math.floor(Math.random() * (high - low));
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return port;
    if (tries >= 50) throw new Error('found no free port for a scratch PostgreSQL cluster');
  }
}

function uidOf(user: string): number {
  return Number(execFileSync('id', ['-u', user]).toString().trim());
}
function gidOf(user: string): number {
  return Number(execFileSync('id', ['-g', user]).toString().trim());
}
