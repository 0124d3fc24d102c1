import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** CPU time from /proc: of given processes, of a Postgres database's backends, of the whole machine. */

const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

interface Stat {
  ppid: number;
  /** utime + stime, in seconds. */
  cpu: number;
}

function stat(pid: number): Stat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND };
  } catch {
    return null;
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return '';
  }
}

const pids = () =>
  readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);

/** CPU seconds used so far by each process of a set, by pid (processes that ended are missing). */
export type CpuSnapshot = Map<number, number>;

export function snapshot(processes: number[]): CpuSnapshot {
  const result: CpuSnapshot = new Map();
  for (const pid of processes) {
    const s = stat(pid);
    if (s) result.set(pid, s.cpu);
  }
  return result;
}

/** CPU seconds between two snapshots (a process that appeared in between counts from zero). */
export function used(before: CpuSnapshot, after: CpuSnapshot): number {
  let total = 0;
  for (const [pid, cpu] of after) total += cpu - (before.get(pid) ?? 0);
  return total;
}

/**
 * The Postgres processes that work for one database: its backends (their title names the
 * database) and the background processes of the same server (WAL writer, checkpointer, background
 * writer, autovacuum), which serve every database of that server.
 */
export function postgresProcesses(database: string): number[] {
  const all = pids();
  const backends = all.filter(
    (pid) => cmdline(pid).startsWith('postgres:') && cmdline(pid).includes(` ${database} `),
  );
  const postmasters = new Set(
    backends.map((pid) => stat(pid)?.ppid).filter((p): p is number => p !== undefined),
  );
  const background = all.filter((pid) => {
    const s = stat(pid);
    if (!s || !postmasters.has(s.ppid)) return false;
    const title = cmdline(pid);
    return /: (checkpointer|background writer|walwriter|autovacuum launcher|autovacuum worker|logical replication launcher)/.test(
      title,
    );
  });
  return [...backends, ...background];
}

/** Busy and total CPU seconds of the whole machine (all cores), from /proc/stat. */
export function machineCpu(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = values;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy: busy / TICKS_PER_SECOND, total: (busy + idle + iowait) / TICKS_PER_SECOND };
}

export const loadAverage = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
