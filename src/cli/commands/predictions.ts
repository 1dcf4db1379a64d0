import { Command } from 'commander';
import { HyperplaneError } from '../../errors.js';
import type { Prediction, PredictionQuery, PredictionWithFeedback, Store } from '../../store/index.js';
import { exportFormat, exportRows } from '../predictions/export-file.js';
import { exportRow, type ExportRow } from '../predictions/export-rows.js';
import { textTable } from '../render/format.js';
import { withStore } from '../store.js';
import { parseSince } from '../when.js';

interface PredictionsFlags {
  since?: string;
  until?: string;
  version?: string;
  arm?: string;
  withFeedback?: boolean;
  limit?: string;
  cursor?: string;
  out?: string;
  json?: boolean;
}

/** Rows per store query when exporting: small enough to hold, large enough that a million rows take a thousand queries. */
const EXPORT_PAGE = 1000;
const SHOWN_BY_DEFAULT = 50;
const MAX_SHOWN = 10_000;

type Page = { predictions: (Prediction | PredictionWithFeedback)[]; nextCursor: string | null };

/** `hyperplane predictions`: the prediction log, with its feedback, to read or to export. */
export function predictionsCommand(): Command {
  return new Command('predictions')
    .description('the prediction log, oldest first, with the latest feedback on each: filter, page, or export to a file')
    .argument('[name]', 'only this model')
    .option('--since <when>', 'only predictions since then: a duration ago (7d, 12h, 30m) or a UTC date (2027-01-31)')
    .option('--until <when>', 'only predictions before then, as --since')
    .option('--version <n>', "only the model's version N")
    .option('--arm <arm>', "only those a deployment's arm answered (as logged: churn/3, shadow)")
    .option('--with-feedback', 'add the latest outcome and reward sent back for each')
    .option('--limit <n>', `at most this many (shown: ${SHOWN_BY_DEFAULT} by default, at most ${MAX_SHOWN.toLocaleString('en-US')}; --out: all by default)`)
    .option('--cursor <cursor>', 'the next page, as printed after the last one')
    .option('--out <file>', 'write them to a .csv, .parquet or .jsonl (.ndjson) file: one row per prediction, inputs as input.<field>, probabilities as proba.<class>')
    .option('--json', 'print the page as JSON: {predictions, nextCursor}')
    .exitOverride()
    .action(async (name: string | undefined, flags: PredictionsFlags) => {
      const format = flags.out === undefined ? undefined : exportFormat(flags.out);
      if (flags.out !== undefined && format === undefined) throw new HyperplaneError(`--out ${flags.out}: expected a .csv, .parquet, .jsonl or .ndjson file`);
      const limit = flags.limit === undefined ? undefined : wholeNumber(flags.limit, '--limit', flags.out === undefined ? MAX_SHOWN : Number.MAX_SAFE_INTEGER);
      const now = Date.now();
      const query: PredictionQuery = {
        ...(name !== undefined ? { model: name } : {}),
        ...(flags.version !== undefined ? { version: wholeNumber(flags.version, '--version', Number.MAX_SAFE_INTEGER) } : {}),
        ...(flags.arm !== undefined ? { arm: flags.arm } : {}),
        ...(flags.since !== undefined ? { since: parseSince(flags.since, now) } : {}),
        // An export reads the log twice (CSV, Parquet): it stops at now, so both passes see the same rows.
        ...(flags.until !== undefined ? { until: parseSince(flags.until, now, '--until') } : flags.out !== undefined ? { until: now + 1 } : {}),
        ...(flags.cursor !== undefined ? { cursor: flags.cursor } : {}),
      };
      const withFeedback = flags.withFeedback === true;
      await withStore(async (store) => {
        // What stopped servers left unshipped is part of the log: it goes in before the log is read.
        const { journalRoot, shipLeftovers } = await import('../../store/prediction-log/leftovers.js');
        const shipped = await shipLeftovers(journalRoot(store), store.predictions);
        if (shipped > 0) process.stderr.write(`${shipped.toLocaleString('en-US')} predictions that stopped servers had left in their journals were shipped to the store first\n`);
        const read = (q: PredictionQuery): Promise<Page> =>
          (withFeedback ? store.predictions.listWithFeedback(q) : store.predictions.list(q)).catch((e: unknown) => {
            throw e instanceof HyperplaneError && e.location.field === 'cursor' ? new HyperplaneError(`--cursor: ${e.reason}; give the one printed after the previous page`) : e;
          });
        if (flags.out !== undefined && format !== undefined) {
          const out = flags.out;
          const pages = (): AsyncIterable<ExportRow[]> => exportPages(read, query, limit, withFeedback);
          if (name !== undefined) await checkLogged(store, name);
          const n = await exportRows(out, format, pages);
          process.stderr.write(`${n.toLocaleString('en-US')} predictions written to ${out}\n`);
          return;
        }
        const page = await read({ ...query, limit: limit ?? SHOWN_BY_DEFAULT });
        if (page.predictions.length === 0 && name !== undefined && flags.cursor === undefined) await checkLogged(store, name);
        if (flags.json === true) process.stdout.write(`${JSON.stringify(page, null, 2)}\n`);
        else if (page.predictions.length === 0) process.stdout.write('no predictions match\n');
        else {
          process.stdout.write(`${predictionTable(page.predictions, withFeedback)}\n`);
          if (page.nextCursor !== null) process.stdout.write(`more: add --cursor ${page.nextCursor}\n`);
        }
      });
    });
}

/** Through the store a page at a time, up to `limit` rows in all. */
async function* exportPages(read: (q: PredictionQuery) => Promise<Page>, query: PredictionQuery, limit: number | undefined, withFeedback: boolean): AsyncIterable<ExportRow[]> {
  let left = limit ?? Number.POSITIVE_INFINITY;
  let cursor = query.cursor;
  while (left > 0) {
    const page = await read({ ...query, limit: Math.min(EXPORT_PAGE, left), ...(cursor !== undefined ? { cursor } : {}) });
    if (page.predictions.length > 0) yield page.predictions.map((p) => exportRow(p, withFeedback));
    left -= page.predictions.length;
    if (page.nextCursor === null) return;
    cursor = page.nextCursor;
  }
}

/** A model name the log has never seen is a mistake to name, not an empty answer. */
export async function checkLogged(store: Store, name: string): Promise<void> {
  const models = await store.predictions.models();
  if (models.includes(name)) return;
  const known = models.length === 0 ? 'no model has logged predictions yet' : `models with logged predictions: ${models.join(', ')}`;
  throw new HyperplaneError(`no predictions logged for model '${name}' in ${store.location}; ${known}`);
}

export function wholeNumber(text: string, flag: string, max: number): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new HyperplaneError(`${flag} ${text}: expected a whole number${max < Number.MAX_SAFE_INTEGER ? ` from 1 to ${max.toLocaleString('en-US')}` : ' of 1 or more'}`);
  }
  return n;
}

function predictionTable(predictions: readonly (Prediction | PredictionWithFeedback)[], withFeedback: boolean): string {
  const header = ['id', 'time (UTC)', 'model', 'version', 'arm', 'prediction', 'ms', ...(withFeedback ? ['outcome', 'reward'] : [])];
  const rows = predictions.map((p) => {
    const row = exportRow(p, withFeedback);
    const text = (v: string | number | null | undefined): string => (v === null || v === undefined ? '–' : String(v));
    return [p.id, row['timestamp'] as string, p.model, String(p.version), text(row['arm']), text(row['prediction']), p.latencyMs.toFixed(1), ...(withFeedback ? [text(row['outcome']), text(row['reward'])] : [])];
  });
  return textTable(header, rows, new Set([3, 6]));
}
