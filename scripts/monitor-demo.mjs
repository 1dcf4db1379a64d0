// `npm run monitor-demo` (after `npm run demo`, which registers cancer@production): monitoring end to end.
// Serves cancer with the scheduled monitor (`serve cancer --no-auth --monitor-every 2s --monitor-config FILE`,
// local only, so the demo needs no API key),
// sends it traffic like the training rows and then traffic whose "mean …" measurements are 30% larger,
// and waits for the drift alert to reach a webhook — a small receiver started here, which checks the
// signature — then stops the server. `hyperplane monitor cancer --since 1h` then shows what it saw.
import { spawn } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const cli = join(root, 'dist', 'cli', 'main.js');
const data = join(root, 'test', 'fixtures', 'data', 'breast_cancer.csv');
const SECRET = 'monitor-demo-secret';

// The server, once started: a failure stops it too, never leaving it running behind the demo.
let server;
const fail = (message) => {
  process.stderr.write(`monitor-demo: ${message}\n`);
  server?.kill('SIGTERM');
  process.exit(2);
};

// 1. A webhook receiver: prints each delivery once its signature checks out.
let resolveAlert;
const alerted = new Promise((resolve) => (resolveAlert = resolve));
const receiver = createServer((req, res) => {
  const chunks = [];
  req.on('data', (d) => chunks.push(d));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const expected = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`);
    const given = Buffer.from(String(req.headers['x-hyperplane-signature'] ?? ''));
    const signed = given.length === expected.length && timingSafeEqual(given, expected);
    res.writeHead(signed ? 204 : 401).end();
    if (signed) resolveAlert(JSON.parse(body.toString('utf8')));
  });
});
await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const hook = `http://127.0.0.1:${receiver.address().port}/hooks/ml`;

// 2. The monitor's config: one rule, one webhook.
mkdirSync('.hyperplane', { recursive: true });
const config = join('.hyperplane', 'monitor-demo.json');
// A rule of its own each run: an earlier run's alert may still be firing, and a firing alert is not notified again.
const rule = `drift (demo ${new Date().toISOString().slice(11, 19)})`;
writeFileSync(config, JSON.stringify({ monitor: { webhooks: [{ name: 'ops', url: hook, secret: SECRET }], alerts: [{ name: rule, when: 'drift_share > 0.2', webhook: 'ops' }] } }, null, 2));
console.log(`1/4 config ${config}: alert "${rule}" when drift_share > 0.2, to a webhook at ${hook}`);

// 3. The server, with its monitor every 2 s.
server = spawn(process.execPath, [cli, 'serve', 'cancer', '--port', '0', '--no-auth', '--monitor-every', '2s', '--monitor-config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
let stderr = '';
const address = await new Promise((resolve) => {
  server.stderr.setEncoding('utf8').on('data', (d) => {
    stderr += d;
    const m = /listening on (http:\/\/[\d.:]+)/.exec(stderr);
    if (m) resolve(m[1]);
  });
  server.once('exit', () => fail(`the server did not start (run \`npm run demo\` first: it registers cancer@production):\n${stderr}`));
});
const stop = async () => {
  server.removeAllListeners('exit');
  server.kill('SIGTERM');
  await new Promise((resolve) => (server.exitCode !== null ? resolve() : server.once('exit', resolve)));
  receiver.close();
};
console.log(`2/4 serving cancer on ${address} with --monitor-every 2s`);

// 4. Traffic: rows like training, then rows whose "mean …" measurements are 30% larger.
const [header, ...lines] = readFileSync(data, 'utf8').trimEnd().split('\n');
const names = header.split(',');
const rows = lines.map((line) => Object.fromEntries(line.split(',').flatMap((v, j) => (names[j] === 'diagnosis' ? [] : [[names[j], Number(v)]]))));
const shifted = rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, k.startsWith('mean ') ? v * 1.3 : v])));
const send = async (batch) => {
  const res = await fetch(`${address}/v1/models/cancer/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rows: batch }) });
  if (!res.ok) fail(`predict answered ${res.status}: ${await res.text()}`);
};
await send(rows.slice(0, 300));
await send(shifted.slice(300, 569));
console.log('3/4 sent 300 rows like training, then 269 with the "mean …" columns 30% larger');

// 5. The alert, as the webhook receives it.
let timer;
const alert = await Promise.race([alerted, new Promise((resolve) => (timer = setTimeout(() => resolve(undefined), 60_000)))]);
clearTimeout(timer);
await stop();
if (alert === undefined) fail(`no alert reached the webhook within 60 s; the server said:\n${stderr}`);
const last = alert.evidence.windows.at(-1);
console.log(`4/4 the webhook received (signature checked): ${alert.event} "${alert.alert.rule}" on ${alert.alert.model}/${alert.alert.version}: ${alert.evidence.metric} ${last?.value?.toFixed(3)} ${alert.evidence.op} ${alert.evidence.threshold}`);
console.log('\nnow: npm run -s hyperplane -- monitor cancer --since 1h');
