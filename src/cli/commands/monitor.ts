import { Command } from 'commander';
import { HyperplaneError } from '../../errors.js';
import type { MonitorReport } from '../../monitor/monitor.js';
import type { Store } from '../../store/index.js';
import type { MonitorReference } from '../../monitor/reference.js';
import type { WindowAggregate } from '../../monitor/window.js';
import { decodePackage } from '../../pipeline/package.js';
import { textTable } from '../render/format.js';
import { withStore } from '../store.js';
import { durationMs, parseSince } from '../when.js';
import { alertsSummary } from './alerts.js';
import type { MonitorConfig } from '../../monitor/alerts/config.js';
import { deliverNotifications } from '../../monitor/alerts/deliver.js';

interface MonitorFlags {
  since: string;
  window: string;
  json?: boolean;
  html?: string;
  config?: string;
  segment: string[];
}

/** `hyperplane monitor NAME[@ALIAS]`: drift of a served version's traffic against its training reference, window by window. */
export function monitorCommand(): Command {
  return new Command('monitor')
    .description("drift of a model version's logged traffic against its training reference: each column's test, effect, PSI, missing share and new categories, per window and over the range; live and estimated quality; alerts")
    .argument('<model>', 'NAME (its production alias, else its latest version), NAME@ALIAS or NAME/VERSION')
    .option('--since <when>', 'traffic since then: a duration ago (7d, 12h, 30m) or a UTC date (taken back to its hour)', '7d')
    .option('--window <duration>', 'window length (1h, 30m, 1d); whole hours read the aggregates folded as predictions shipped', '1h')
    .option('--json', 'print the report as JSON')
    .option('--html <file>', 'also write the report as an HTML page with charts')
    .option('--config <file>', "evaluate the config's monitor.alerts rules on the report, store the alerts and print them; its monitor.segments are added to --segment")
    .option('--segment <column>', 'drift and live quality per level of this categorical input, read from the raw log over the range (repeat it, or a comma list)', (v: string, all: string[]) => [...all, ...v.split(',').map((c) => c.trim()).filter((c) => c !== '')], [])
    .exitOverride()
    .action(async (ref: string, flags: MonitorFlags) => {
      const now = Date.now();
      const since = parseSince(flags.since, now);
      const windowMs = durationMs(flags.window);
      if (windowMs === undefined || !(windowMs >= 60_000)) throw new HyperplaneError(`--window ${flags.window}: expected a duration of a minute or more (30m, 1h, 1d)`);
      // A bad rule fails before the store is opened or any traffic read.
      const alertConfig = flags.config === undefined ? undefined : await (await import('../../monitor/alerts/config.js')).loadMonitorConfig(flags.config);
      await withStore(async (store) => {
        const { model, version, pkg } = await resolveVersion(store, ref);
        const [{ monitoredVersion, packageReferences }, { rebuildReference }] = await Promise.all([import('../../pipeline/monitor-references.js'), import('../../pipeline/rebuild-reference.js')]);
        // An older package keeps no reference: rebuilt once from its run's training data, or the reason it cannot be.
        const found = pkg.pipeline.monitor !== undefined ? { reference: pkg.pipeline.monitor } : await rebuildReference(store, model, version);
        if ('reason' in found) throw new HyperplaneError(found.reason);
        const watched = monitoredVersion(pkg, model, version, found.reference)!;
        // What stopped servers left unshipped is traffic too, and reaches the aggregates as it ships.
        const [{ journalRoot, shipLeftovers }, { shipFold }] = await Promise.all([import('../../store/prediction-log/leftovers.js'), import('../../monitor/ship-fold.js')]);
        await shipLeftovers(journalRoot(store), store.predictions, shipFold(store.monitorWindows, packageReferences(store)));
        const { runMonitor } = await import('../../monitor/run.js');
        const segments = [...flags.segment, ...(alertConfig?.segments ?? [])];
        const run = await runMonitor(store, watched, { since, windowMs, segments, ...(alertConfig !== undefined ? { config: alertConfig } : {}) });
        if (alertConfig !== undefined && run.notifications.length > 0) await notify(alertConfig, run.notifications);
        if (flags.html !== undefined) await writeHtml(flags.html, run.report, watched.reference, run.windows);
        if (flags.json === true) process.stdout.write(`${JSON.stringify(run.report, null, 2)}\n`);
        else process.stdout.write(`${reportText(run.report)}${alertConfig === undefined ? '' : `\n\n${alertsSummary(run.alerts)}`}${flags.html !== undefined ? `\n\nwrote ${flags.html}` : ''}\n`);
      });
    });
}

/** The HTML page, written whole (a temporary file renamed) so a reader never sees half of it. */
async function writeHtml(file: string, report: MonitorReport, reference: MonitorReference, windows: WindowAggregate[]): Promise<void> {
  const [{ monitorHtml }, { mergeWindows }, { writeFile, rename }] = await Promise.all([import('../render/monitor-html.js'), import('../../monitor/window.js'), import('node:fs/promises')]);
  const html = await monitorHtml(report, reference, mergeWindows(windows));
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, html);
    await rename(temporary, file);
  } catch (e) {
    throw new HyperplaneError(`--html ${file}: cannot write it (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

/** Sends the notifications due to their webhooks, waiting (up to a limit) for the deliveries, and says which failed. */
async function notify(config: MonitorConfig, due: Parameters<typeof deliverNotifications>[0]): Promise<void> {
  const { WebhookSender } = await import('../../monitor/alerts/webhook.js');
  const failed: string[] = [];
  const sender = new WebhookSender({ onGiveUp: (hook, n, reason) => failed.push(`${n.event} ${n.alert.rule} to ${hook.name}: ${reason}`) });
  if (deliverNotifications(due, config.webhooks, sender) === 0) return;
  await sender.drain(DELIVERY_WAIT_MS);
  for (const f of failed) process.stderr.write(`monitor: webhook delivery failed: ${f}\n`);
  if (sender.stats.queued + sender.stats.inFlight > 0) process.stderr.write(`monitor: ${sender.stats.queued + sender.stats.inFlight} webhook deliveries still retrying after ${DELIVERY_WAIT_MS / 1000} s were given up; the alerts are stored\n`);
}

/** How long a monitor run waits for its webhooks before exiting. */
const DELIVERY_WAIT_MS = 30_000;

/** NAME → its production alias if it has one, else its latest version; NAME@ALIAS and NAME/N as they are. */
async function resolveVersion(store: Store, ref: string): Promise<{ model: string; version: number; pkg: ReturnType<typeof decodePackage> }> {
  const tries = ref.includes('@') || ref.includes('/') ? [ref] : [`${ref}@production`, `${ref}/latest`];
  let lastError: unknown;
  for (const attempt of tries) {
    try {
      const resolved = await store.registry.resolve(attempt);
      if (resolved.model === null || resolved.version === null) throw new HyperplaneError(`${ref} is a run, not a registered model version: monitor watches a model's traffic`);
      const bytes = await store.artifacts.get(resolved.artifact);
      return { model: resolved.model, version: resolved.version, pkg: decodePackage(bytes, `${resolved.model}/${resolved.version}`) };
    } catch (e) {
      lastError = e;
    }
  }
  if (lastError instanceof HyperplaneError) throw new HyperplaneError(lastError.message.replace(/^field 'model': /, ''), { field: 'model' });
  throw lastError;
}

const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;
const num = (v: number | undefined): string => (v === undefined ? '–' : !Number.isFinite(v) ? '∞' : Math.abs(v) >= 1000 ? v.toFixed(0) : Number(v.toPrecision(3)).toString());

/** The report for a terminal: the range's columns by drift × importance, the prediction, then each window. */
export function reportText(r: MonitorReport): string {
  const lines = [`${r.model}/${r.version}: ${r.rows.toLocaleString('en-US')} predictions since ${r.since} in ${r.windows.length} windows; reference: ${r.reference.rows.toLocaleString('en-US')} training rows`];
  if (r.rows === 0) return `${lines[0]}\nno traffic in this range: nothing to compare`;
  lines.push(`drift: ${r.columns.filter((c) => c.drifted).length} of ${r.columns.length} columns (${pct(r.driftShare)})`);
  const multivariate = multivariateText(r.multivariate);
  if (multivariate !== undefined) lines.push(multivariate);
  lines.push('');
  const rows = [...r.columns, ...r.prediction.map((c) => ({ ...c, importance: NaN }))].map((c) => [
    c.column,
    c.test,
    num(c.statistic),
    num(c.pValue),
    num(c.effect),
    num(c.psi),
    `${pct(c.missing.reference)} → ${pct(c.missing.window)}`,
    (c.newCategories ?? []).map((n) => `${n.label} ${pct(n.share)}`).join(', ') || '–',
    Number.isNaN(c.importance) ? '–' : pct(c.importance),
    c.drifted ? 'DRIFT' : '',
  ]);
  lines.push(textTable(['column', 'test', 'statistic', 'p-value', 'effect', 'PSI', 'missing', 'new categories', 'importance', ''], rows, new Set([2, 3, 4, 5, 8])), '');
  const anyMultivariate = r.windows.some((w) => w.multivariate !== undefined);
  lines.push(
    textTable(
      ['window (UTC)', 'rows', 'drift', 'vs previous', 'prediction', 'score p10 / p50 / p90', ...(anyMultivariate ? ['classifier AUC'] : []), 'schema issues', 'drifted columns'],
      r.windows.map((w) => [
        w.start.slice(0, 16).replace('T', ' '),
        w.rows.toLocaleString('en-US'),
        w.tooFewRows === true ? 'too few rows' : pct(w.driftShare),
        w.driftShareVsPrevious === null ? '–' : pct(w.driftShareVsPrevious),
        w.prediction.drifted ? 'DRIFT' : '',
        w.score === undefined || w.score === null ? '–' : `${num(w.score.p10)} / ${num(w.score.p50)} / ${num(w.score.p90)}`,
        ...(anyMultivariate ? [w.multivariate === undefined || w.multivariate.auc === null ? '–' : `${num(w.multivariate.auc)}${w.multivariate.drifted ? ' DRIFT' : ''}`] : []),
        w.dataQuality === undefined ? '–' : qualityBrief(w.dataQuality),
        w.drifted.join(', ') || '–',
      ]),
      new Set([1, 2, 3]),
    ),
  );
  if (r.windows.some((w) => w.tooFewRows === true)) lines.push('windows with too few rows are shown but not judged: a test on a handful of rows is noise; the range above counts them');
  if (r.dataQuality !== null && r.dataQuality !== undefined) lines.push('', ...qualityText(r.dataQuality));
  if (r.target !== null) lines.push('', `outcomes sent back against the training target: ${r.target.test} ${num(r.target.statistic)}${r.target.pValue !== undefined ? ` (p ${num(r.target.pValue)})` : ''}, effect ${num(r.target.effect)} over ${r.target.rows.toLocaleString('en-US')} outcomes${r.target.drifted ? ': DRIFT' : ''}`);
  const trained = Object.entries(r.reference.metrics)
    .map(([k, v]) => `${k} ${num(v)}`)
    .join(', ');
  if (r.abstained !== undefined) lines.push('', `abstained: ${r.abstained.predictions.toLocaleString('en-US')} of ${r.rows.toLocaleString('en-US')} predictions (${pct(r.abstained.share)}) were below the deployment's abstain-below threshold`);
  if (r.quality.some((q) => q.labelled > 0)) {
    const names = [...new Set(r.quality.flatMap((q) => Object.keys(q.metrics)))];
    // Columns for abstentions only where some answer abstained: the table reads as before otherwise.
    const abstaining = r.quality.some((q) => q.abstained !== undefined);
    const extra = abstaining ? ['abstained', 'measured on'] : [];
    lines.push('', `${abstaining ? 'quality of the answers given, from outcomes sent back; abstentions left out' : 'quality from outcomes sent back'} (at training, on held-out rows: ${trained || 'none recorded'}):`);
    lines.push(
      textTable(
        ['window (UTC)', 'predictions', 'labelled', 'label delay', ...extra, ...names],
        r.quality.map((q) => [
          q.start.slice(0, 16).replace('T', ' '),
          q.predictions.toLocaleString('en-US'),
          pct(q.labelledShare),
          q.labelDelayMs === null ? '–' : duration(q.labelDelayMs.median),
          ...(abstaining ? [q.abstained === undefined ? '–' : `${q.abstained.toLocaleString('en-US')} (${pct(q.abstainedShare ?? 0)})`, (q.measured ?? q.labelled).toLocaleString('en-US')] : []),
          ...names.map((n) => num(q.metrics[n])),
        ]),
        new Set([1, 2, 3, ...extra.map((_, k) => 4 + k), ...names.map((_, k) => 4 + extra.length + k)]),
      ),
    );
  }
  if (r.arms !== undefined && r.arms.length > 0) {
    const names = [...new Set(r.arms.flatMap((a) => Object.keys(a.metrics)))];
    lines.push('', 'quality per deployment arm over the range:');
    lines.push(textTable(['arm', 'predictions', 'labelled', ...names], r.arms.map((a) => [a.arm, a.predictions.toLocaleString('en-US'), pct(a.labelledShare), ...names.map((n) => num(a.metrics[n]))]), new Set([1, 2, ...names.map((_, k) => 3 + k)])));
  }
  if (r.estimated.length > 0) {
    lines.push('', 'estimated before outcomes arrive (CBPE: calibrated probabilities):');
    lines.push(textTable(['window (UTC)', 'rows', 'accuracy', 'auc'], r.estimated.map((e) => [e.start.slice(0, 16).replace('T', ' '), e.rows.toLocaleString('en-US'), num(e.accuracy), e.auc === null ? '–' : num(e.auc)]), new Set([1, 2, 3])));
  }
  for (const s of r.segments ?? []) lines.push('', ...segmentText(s));
  return lines.join('\n');
}

/** One segment column's levels: drift over the range (its own column left out) and realized quality. */
function segmentText(s: NonNullable<MonitorReport['segments']>[number]): string[] {
  const names = [...new Set(s.levels.flatMap((l) => Object.keys(l.quality.metrics)))];
  return [
    `segments by ${s.column} (${s.rows.toLocaleString('en-US')} predictions read from the raw log over the range: the hourly aggregates are not split by segment):`,
    textTable(
      ['level', 'rows', 'drift', 'prediction', 'drifted columns', 'labelled', ...names],
      s.levels.map((l) => [l.level, l.rows.toLocaleString('en-US'), l.tooFewRows === true ? 'too few rows' : pct(l.driftShare), l.prediction.drifted ? 'DRIFT' : '', l.drifted.join(', ') || '–', pct(l.quality.labelledShare), ...names.map((n) => num(l.quality.metrics[n]))]),
      new Set([1, 2, 5, ...names.map((_, k) => 6 + k)]),
    ),
  ];
}

function duration(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(0)} s` : ms < 3_600_000 ? `${(ms / 60_000).toFixed(0)} min` : ms < 86_400_000 ? `${(ms / 3_600_000).toFixed(1)} h` : `${(ms / 86_400_000).toFixed(1)} d`;
}

/** The domain classifier's verdict over the range, or why there is none (undefined: it was not run). */
function multivariateText(m: MonitorReport['multivariate']): string | undefined {
  if (m === undefined) return undefined;
  if (m === null) return 'multivariate drift: not measured — this package was trained before references kept a sample of training rows; train it again to compare rows as a whole';
  if (m.auc === null) return `multivariate drift: too few rows sampled (${m.rows}) to fit a domain classifier`;
  const leaned = m.features.length > 0 ? `; it leaned on ${m.features.join(', ')}` : '';
  return `multivariate drift: a classifier tells live rows from training rows with AUC ${num(m.auc)} (${m.rows} against ${m.referenceRows} sampled rows; drift above ${num(m.threshold)})${m.drifted ? `: DRIFT${leaned}` : ''}`;
}

/** The report's data-quality summary (its type, without an import at the top of this file). */
type DataQuality = NonNullable<MonitorReport['dataQuality']>;

/** A window's schema breaks in a few words. */
function qualityBrief(q: DataQuality): string {
  const parts = [count(q.invalid, 'invalid'), count(q.outOfRange, 'out of range'), count(q.unknownCategory, 'unknown')].filter((p) => p !== '');
  return parts.join(', ') || (q.invalid === null ? 'not measured' : '–');
}

const count = (n: number | null, what: string): string => (n === null || n === 0 ? '' : `${n.toLocaleString('en-US')} ${what}`);

/** The range's values that broke the training schema, column by column, or that none did. */
function qualityText(q: DataQuality): string[] {
  if (q.invalid === null && q.outOfRange === null && q.unknownCategory === null) return ['data quality: not measured (windows folded before schema breaks were counted)'];
  const share = (n: number | null): string => (n === null ? '–' : n === 0 ? '' : `${n.toLocaleString('en-US')} (${pct(n / Math.max(1, q.rows))})`);
  const broken = q.byColumn.filter((c) => (c.invalid ?? 0) + (c.type === 'numeric' ? (c.outOfRange ?? 0) : (c.unknownCategory ?? 0)) > 0);
  if (broken.length === 0) return ['data quality: every value had the type, range and categories of training'];
  return [
    'data quality: values that broke the training schema (wrong type — read as missing; outside the training range; categories training never had):',
    textTable(
      ['column', 'invalid', 'below min', 'above max', 'unknown category'],
      broken.map((c) => [c.column, share(c.invalid), c.type === 'numeric' ? share(c.below) : '', c.type === 'numeric' ? share(c.above) : '', c.type === 'categorical' ? share(c.unknownCategory) : '']),
      new Set([1, 2, 3, 4]),
    ),
  ];
}
