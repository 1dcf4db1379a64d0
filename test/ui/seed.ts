import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildServer } from '../../src/serve/server.js';
import { openStore, type Alert, type Prediction, type PredictionRecord, type Store } from '../../src/store/index.js';

// Not from ../helpers.js: that imports vitest, and this also runs outside it (dev-server.ts, the screenshots).
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixture = (name: string): string => join(ROOT, 'test', 'fixtures', 'data', name);

export const HOUR = 3_600_000;
/** Stored as a run's name, a tag, a param and a logged input: the pages must show it as text, never run it. */
export const XSS = '<img src=x onerror=alert(1)>';

export interface Seeded {
  /** Runs by what they are: two trained by the CLI, one tracked from a script with a loss curve, one named XSS. */
  runs: { logistic: string; gbdt: string; curve: string; xss: string };
  /** The first full hour of the logged traffic. */
  start: number;
  /** A prediction answered with ?explain=3, with feedback. */
  explained: string;
  /** The firing alert's id. */
  alert: string;
}

/** The credit card data as a client sends it (no target), with the true label. */
function creditRows(): { row: Record<string, string | number>; label: string }[] {
  const [head, ...lines] = readFileSync(fixture('credit_card.csv'), 'utf8').trimEnd().split('\n');
  const names = head!.split(',');
  return lines.map((line) => {
    const row: Record<string, string | number> = {};
    let label = '';
    line.split(',').forEach((v, j) => {
      if (names[j] === 'declined') label = v;
      else row[names[j]!] = v === 'yes' || v === 'no' ? v : Number(v);
    });
    return { row, label };
  });
}

/** The built CLI on the store, as a user runs it. */
function cli(uri: string, dir: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), ...args], { cwd: dir, env: { ...process.env, HYPERPLANE_STORE: uri }, timeout: 120_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`hyperplane ${args.join(' ')}: exit ${code}: ${stderr}`))));
  });
}

/**
 * A store with what every dashboard page shows, made the way a team makes it: runs trained by the CLI and
 * one tracked from a script, model versions registered with aliases moved (a history), a bandit, a split and a
 * shadow deployment, three hours of logged predictions (income doubled from the second hour: drift) with
 * feedback, real explained answers from the server, and alerts.
 */
export async function seedDashboard(uri: string, dir: string): Promise<Seeded> {
  // The two runs train side by side (two cores); the registry is then filled through the library, as a team's
  // script would, which costs no process start per step.
  const [logistic, gbdt] = await Promise.all(
    ['logistic', 'gbdt'].map(async (learner) => {
      const out = await cli(uri, dir, ['train', fixture('credit_card.csv'), '--target', 'declined', '--learner', learner, '--experiment', 'credit', '--run-name', `credit-${learner}`, '--out', join(dir, learner)]);
      return /^run\s+([0-9a-f]{32})/m.exec(out)![1]!;
    }),
  );
  const trained = { logistic: logistic!, gbdt: gbdt! };
  const store = await openStore({ uri, actor: 'cli:seed' });
  try {
    await store.registry.createVersion('credit', { runId: trained.logistic });
    await store.registry.setAlias('credit', 'production', 1);
    await store.registry.createVersion('credit', { runId: trained.gbdt });
    await store.registry.createVersion('credit', { runId: trained.gbdt });
    await store.registry.setAlias('credit', 'staging', 3);
    // Production moved to the gbdt and rolled back: the alias has a history.
    await store.registry.setAlias('credit', 'production', 2);
    await store.registry.setAlias('credit', 'production', 1);
    const curve = await store.tracking.createRun({ experiment: 'credit', name: 'credit-net', params: { lr: 0.01, epochs: 20 }, tags: { learner: 'script' } });
    await store.tracking.logMetrics(curve.id, Array.from({ length: 20 }, (_, i) => [{ name: 'loss', value: 0.7 * Math.exp(-i / 6) + 0.3, step: i }, { name: 'val_loss', value: 0.72 * Math.exp(-i / 7) + 0.34 + (i > 14 ? 0.01 * (i - 14) : 0), step: i }]).flat());
    await store.tracking.logMetrics(curve.id, [{ name: 'auc', value: 0.79 }]);
    await store.tracking.setStatus(curve.id, 'finished');
    await store.tracking.addNote(curve.id, 'why: does a smaller learning rate stop val_loss rising?', 'cli:ann', Date.UTC(2026, 0, 2, 9, 30));
    await store.tracking.addNote(curve.id, 'no: val_loss still rises after epoch 14\nnext: early stopping', 'key:ci', Date.UTC(2026, 0, 3, 9, 30));
    const xss = await store.tracking.createRun({ experiment: 'credit', name: XSS, params: { note: XSS }, tags: { note: XSS } });
    await store.tracking.logMetrics(xss.id, [{ name: 'auc', value: 0.5 }]);
    await store.tracking.setStatus(xss.id, 'failed');
    await store.tracking.addNote(xss.id, XSS, 'cli:seed');

    await store.deployments.put('credit', { kind: 'bandit', arms: ['credit/1', 'credit/2'] });
    await store.deployments.put('credit-split', { kind: 'split', arms: [{ ref: 'credit/3', weight: 90 }, { ref: 'credit@staging', weight: 10 }] });
    await store.deployments.put('credit-shadow', { kind: 'shadow', ref: 'credit@production', shadow: 'credit/2' });

    const start = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;
    const data = creditRows();
    const explained = await seedLog(store, data, start);
    await store.alerts.save([alert('alert-drift', 'firing', start), alert('alert-old', 'resolved', start)]);
    return { runs: { logistic: trained.logistic, gbdt: trained.gbdt, curve: curve.id, xss: xss.id }, start, explained, alert: 'alert-drift' };
  } finally {
    await store.close();
  }
}

async function seedLog(store: Store, data: { row: Record<string, string | number>; label: string }[], start: number): Promise<string> {
  const answer = (p: number) => ({ prediction: p >= 0.5 ? 'yes' : 'no', probabilities: { no: 1 - p, yes: p } });
  // A stand-in score that tracks the label, so realized quality is neither perfect nor chance.
  const score = (i: number): number => (data[i]!.label === 'yes' ? 0.35 + ((i * 37) % 50) / 100 : 0.1 + ((i * 53) % 50) / 100);
  const p = (id: string, version: number, at: number, i: number, extra: Partial<Prediction> = {}, shift = 1): Prediction => ({
    id,
    model: 'credit',
    version,
    timestamp: at,
    request: { ...data[i]!.row, income: (data[i]!.row['income'] as number) * shift },
    response: answer(score(i)),
    latencyMs: 0.3 + (i % 7) / 10,
    ...extra,
  });
  const records: Prediction[] = [];
  // Version 1 in production for three hours, routed by the bandit (credit/1); income doubles from the second hour.
  for (let h = 0; h < 3; h++) for (let i = 0; i < 400; i++) records.push(p(`m${h}-${i}`, 1, start + h * HOUR + i * 8000, h * 400 + i, { arm: 'credit/1' }, h === 0 ? 1 : 2));
  // The bandit's other arm, the split's arms, and a shadow's copies (8 of 10 agree).
  for (let i = 0; i < 60; i++) records.push(p(`b-${i}`, 2, start + (i % 3) * HOUR + i * 30_000 + 500, i, { arm: 'credit/2' }));
  for (let i = 0; i < 45; i++) records.push(p(`s-${i}`, 3, start + (i % 3) * HOUR + i * 20_000 + 700, i, { arm: i % 10 === 0 ? 'credit@staging' : 'credit/3' }));
  for (let i = 0; i < 10; i++) {
    const at = start + 2 * HOUR + i * 60_000;
    records.push(p(`pr-${i}`, 1, at, 200 + i, { arm: 'credit@production', requestId: `req-${i}` }));
    records.push({ ...p(`sh-${i}`, 2, at + 3, 200 + i, { arm: 'shadow', requestId: `req-${i}` }), ...(i >= 8 ? { response: answer(score(200 + i) >= 0.5 ? 0.1 : 0.9) } : {}) });
  }
  // A logged input holding markup: the predictions page must show it as text.
  records.push({ ...p('xss-input', 1, start + 2 * HOUR + 1000, 5), request: { ...data[5]!.row, owner: `${'<b>'}${'x'}</b><img src=x onerror=alert(2)>` } });
  await store.predictions.insert(records);
  await store.feedback.insert([
    ...Array.from({ length: 3 * 400 }, (_, k) => ({ predictionId: `m${Math.floor(k / 400)}-${k % 400}`, outcome: data[k]!.label, reward: (score(k) >= 0.5 ? 'yes' : 'no') === data[k]!.label ? 1 : 0, timestamp: start + 3 * HOUR })),
    ...Array.from({ length: 60 }, (_, i) => ({ predictionId: `b-${i}`, outcome: data[i]!.label, reward: i % 4 === 0 ? 1 : 0, timestamp: start + 3 * HOUR })),
  ]);
  // Real answers from the server, explained, through the shadow deployment; then logged as the shipper would.
  const logged: PredictionRecord[] = [];
  const server = await buildServer({ store, maxEventLoopDelayMs: 0, reloadMs: 0, dashboard: false, log: { record: (r) => logged.push(r) } });
  try {
    let explained = '';
    for (let i = 0; i < 5; i++) {
      const r = await server.app.inject({ method: 'POST', url: '/v1/models/credit-shadow/predict?explain=3', payload: data[300 + i]!.row, headers: { 'x-request-id': `live-${i}` } });
      if (r.statusCode !== 200) throw new Error(`seeding: predict answered ${r.statusCode}: ${r.body}`);
      if (i === 0) explained = (r.json() as { id: string }).id;
    }
    await server.logged();
    await store.predictions.insert(logged);
    await store.feedback.insert([{ predictionId: explained, outcome: data[300]!.label, reward: null }]);
    return explained;
  } finally {
    await server.close();
  }
}

function alert(id: string, state: Alert['state'], start: number): Alert {
  const evidence = { metric: 'drift_share', op: '>', threshold: 0.1, windows: [{ version: 1, start: new Date(start + HOUR).toISOString(), end: new Date(start + 2 * HOUR).toISOString(), value: 0.4 }] };
  return { id, model: 'credit', version: 1, rule: state === 'firing' ? 'input drift' : 'quality', condition: 'drift_share > 0.1', state, firedAt: start + (state === 'resolved' ? 0 : HOUR), resolvedAt: state === 'resolved' ? start + HOUR : null, updatedAt: start + HOUR, silencedUntil: null, webhook: null, evidence };
}
