import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { round } from '../measure';

export interface ChildRun {
  /** What the process printed on stdout. */
  output: string;
  /** Its resident memory's high-water mark (the kernel's VmHWM, read until it exits). */
  peakRssMiB: number;
  wallSeconds: number;
}

const highWaterMark = (pid: number): number | null => {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null; // gone, or no procfs here
  }
};

/**
 * Runs a TypeScript entry point in a fresh Node process, as an operator would run the command,
 * and answers what it printed and how much memory it held at most: a phase measured this way
 * carries nothing another phase left behind. Fails when the process does.
 */
export function runChild(
  entry: string,
  args: readonly string[],
  env: Record<string, string>,
): Promise<ChildRun> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  let peak = 0;
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const sampler = setInterval(() => (peak = Math.max(peak, highWaterMark(child.pid!) ?? 0)), 25);
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => {
      clearInterval(sampler);
      if (code !== 0) reject(new Error(`${entry} ${args.join(' ')} exited with ${code}:\n${output}`));
      else
        resolve({
          output,
          peakRssMiB: round(peak / 2 ** 20, 0),
          wallSeconds: round((performance.now() - started) / 1000, 1),
        });
    });
  });
}
