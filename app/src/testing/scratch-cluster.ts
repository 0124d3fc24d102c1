import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, chownSync } from 'node:fs';
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

  static async create(port: number): Promise<ScratchCluster> {
    const bin = postgresBinaries();
    if (!bin) throw new Error('no PostgreSQL binaries on this machine');
    const cluster = new ScratchCluster(bin, port);
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

function uidOf(user: string): number {
  return Number(execFileSync('id', ['-u', user]).toString().trim());
}
function gidOf(user: string): number {
  return Number(execFileSync('id', ['-g', user]).toString().trim());
}
