// A training process that gets killed: starts a run, then logs metrics in batches of 50 and writes
// artifacts in a loop until the test kills it with SIGKILL.
import { randomBytes } from 'node:crypto';
import { openStore } from '../../../dist/store/index.js';

const [uri, root] = process.argv.slice(2);
const store = await openStore({ uri, root });
const run = await store.tracking.createRun({ experiment: 'kill', params: { learner: 'gbdt' } });
process.stdout.write(`run ${run.id}\n`);
for (let batch = 0; ; batch++) {
  await store.tracking.logMetrics(run.id, Array.from({ length: 50 }, (_, k) => ({ name: 'loss', value: 1 / (1 + batch * 50 + k), step: batch * 50 + k })));
  if (batch % 5 === 0) await store.artifacts.put(randomBytes(256 * 1024));
  if (batch === 20) process.stdout.write('writing\n');
}
