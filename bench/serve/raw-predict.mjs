// A diagnostic, not a server to use: our per-request work (the served version's validation, scoring,
// ids and answer JSON, exactly as the /v1 route does them) on Node's bare http server, with no
// framework, no prediction log, no auth, metrics or overload checks. Its throughput beside bare
// http's says how much of the ceiling is left once the work itself is done.
//
//   HYPERPLANE_STORE=sqlite:… node bench/serve/raw-predict.mjs PORT MODEL
import { createServer } from 'node:http';
import { openStore } from '../../dist/store/index.js';
import { ServedModels } from '../../dist/serve/served-models.js';
import { Scored } from '../../dist/serve/scored.js';
import { timeOrderedId } from '../../dist/serve/ids.js';

const store = await openStore();
const models = new ServedModels(store, { extraFields: 'ignore' });
await models.start([process.argv[3]]);
const model = models.get(process.argv[3]);
if (model === undefined) throw new Error(`${process.argv[3]} is not served`);

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
    const answer = scored.v1Json(false, undefined, performance.now() - started);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(answer), 'x-hyperplane-model': model.model, 'x-hyperplane-version': String(model.version) });
    res.end(answer);
  });
}).listen(Number(process.argv[2]), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
