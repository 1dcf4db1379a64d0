// One of the concurrent writers: records runs, metrics, artifacts, versions of one shared model and
// alias moves until the deadline, then prints what it wrote as JSON so the test can count it.
// Plain JS on the built dist/, so it runs in its own process without a TypeScript loader.
import { openStore } from '../../../dist/store/index.js';

const [uri, root, worker, seconds, model] = process.argv.slice(2);
const store = await openStore({ uri, root });
const deadline = Date.now() + Number(seconds) * 1000;
const tally = { worker, runs: [], metricPoints: 0, versions: [], moves: 0 };
const encoder = new TextEncoder();

try {
  for (let n = 0; Date.now() < deadline; n++) {
    const run = await store.tracking.createRun({ experiment: 'concurrency', name: `w${worker}-${n}`, tags: { worker }, params: { n } });
    for (let batch = 0; batch < 4; batch++) {
      await store.tracking.logMetrics(run.id, Array.from({ length: 10 }, (_, k) => ({ name: 'loss', value: batch * 10 + k, step: batch * 10 + k })));
    }
    await store.tracking.logMetrics(run.id, [{ name: 'auc', value: 0.5 + (n % 50) / 100 }]);
    tally.metricPoints += 41;
    const sha = await store.artifacts.put(encoder.encode(`model from worker ${worker}, run ${n}`));
    await store.tracking.attachArtifact(run.id, 'model', sha);
    await store.tracking.setStatus(run.id, 'finished');
    tally.runs.push(run.id);
    const version = await store.registry.createVersion(model, { runId: run.id });
    tally.versions.push([version.version, run.id]);
    await store.registry.setAlias(model, n % 2 === 0 ? 'production' : 'champion', version.version);
    tally.moves++;
  }
} finally {
  await store.close();
}
process.stdout.write(`${JSON.stringify(tally)}\n`);
