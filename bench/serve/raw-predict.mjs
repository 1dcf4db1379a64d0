// A diagnostic, not a server to use: our per-request work (the served version's validation, scoring,
// ids and answer JSON, exactly as the /v1 route does them, its answers written at the end of the
// turn as the server's are) on Node's bare http server, with no framework, no auth, metrics or
// overload checks. With `log`, each prediction also goes to the prediction log as the server logs it
// (the same journal, committed before the turn's answers, and its shipper thread). Its throughput beside bare http's says how much of the
// ceiling is left once the work itself is done, whatever framework carries it.
//
//   HYPERPLANE_STORE=sqlite:… node bench/serve/raw-predict.mjs PORT MODEL [log]
import { createServer } from 'node:http';
import { openStore } from '../../dist/store/index.js';
import { ServedModels } from '../../dist/serve/served-models.js';
import { Scored } from '../../dist/serve/scored.js';
import { timeOrderedId } from '../../dist/serve/ids.js';
import { TurnEnd } from '../../dist/serve/turn-end.js';
import { JournalLog } from '../../dist/serve/lifecycle/journal-log.js';
import { dirname, join } from 'node:path';

const store = await openStore();
const models = new ServedModels(store, { extraFields: 'ignore' });
await models.start([process.argv[3]]);
const model = models.get(process.argv[3]);
if (model === undefined) throw new Error(`${process.argv[3]} is not served`);
const log = process.argv[4] === 'log' ? new JournalLog({ dir: join(dirname(store.location), 'journal'), storeUri: `sqlite:${store.location}`, sync: 100, maxBytes: 1024 ** 3 }) : undefined;
const turnEnd = new TurnEnd((e) => console.error(e), log === undefined ? undefined : () => log.commit());

createServer((req, res) => {
  let text = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => (text += chunk));
  req.on('end', () => {
    const started = performance.now();
    const rows = [JSON.parse(text)];
    const { problems, notes } = model.validator.check(rows);
    if (problems.length > 0) {
      res.writeHead(400).end(JSON.stringify({ problems }));
      return;
    }
    const scores = model.pipeline.scoreRows(rows);
    const scored = new Scored(model, [timeOrderedId(Date.now())], model.pipeline.codes(scores), scores, notes);
    const ms = performance.now() - started;
    const answer = scored.v1Json(false, undefined, ms);
    log?.record({ id: scored.ids[0], model: model.model, version: model.version, timestamp: Date.now(), requestJson: text, responseJson: scored.outputJson(0), latencyMs: ms });
    turnEnd.later(() => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(answer), 'x-hyperplane-model': model.model, 'x-hyperplane-version': String(model.version) });
      res.end(answer);
    });
  });
}).listen(Number(process.argv[2]), '127.0.0.1');
process.on('SIGTERM', async () => {
  await log?.close();
  process.exit(0);
});
