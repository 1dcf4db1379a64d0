// The framework's own ceiling: Fastify, as `hyperplane serve` configures nothing else, parsing the JSON
// body and answering a fixed object. Our server can't be faster than this; the gap to it is our work.
import Fastify from 'fastify';

const app = Fastify();
const body = { id: '00000000-0000-0000-0000-000000000000', prediction: '1', probabilities: { 0: 0.1, 1: 0.9 }, model: 'bench', version: 1 };
app.post('/', async () => body);
await app.listen({ port: Number(process.argv[2]), host: '127.0.0.1' });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
