import Fastify from 'fastify';

/** The machine's ceiling for an HTTP endpoint: bare fastify answering a constant JSON object. */
const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));
const url = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`READY ${url}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
