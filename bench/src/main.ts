import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `npm run bench -- <name>` runs bench/src/<name>.ts, whose `run()` prints its numbers beside a
 * ceiling or peer measured in the same run and answers them; they are written to
 * bench/results/<name>.json with the machine and the date.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const name = process.argv[2];
if (!name || !/^[a-z-]+$/.test(name) || name === 'measure' || name === 'main' || !existsSync(path.join(here, `${name}.ts`))) {
  process.stderr.write('usage: npm run bench -- <name>   (eventstore, teamchat, livechat, replay, load, report)\n');
  process.exit(2);
}
const { run } = (await import(`./${name}.ts`)) as { run: () => Promise<object> };
const results = await run();
const { machine } = await import('./measure');
await mkdir(path.join(here, '..', 'results'), { recursive: true });
await writeFile(
  path.join(here, '..', 'results', `${name}.json`),
  JSON.stringify({ benchmark: name, date: new Date().toISOString(), machine: machine(), results }, null, 2) + '\n',
);
process.stdout.write(`\nwritten bench/results/${name}.json\n`);
process.exit(0);
