import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { HyperplaneError } from '../../errors.js';
import { LABEL_STRATEGIES, LabelQueue, scoreName, type LabelCandidate, type LabelStrategy } from '../../monitor/label-queue.js';
import type { PredictionQuery, PredictionWithFeedback, Store } from '../../store/index.js';
import { csvField, exportFormat, exportRows, type ExportFormat } from '../predictions/export-file.js';
import { ExportColumns, exportRow, type ExportRow } from '../predictions/export-rows.js';
import { withStore } from '../store.js';
import { parseSince } from '../when.js';
import { checkLogged, wholeNumber } from './predictions.js';

interface LabelQueueFlags {
  n: string;
  strategy: string;
  since?: string;
  until?: string;
  version?: string;
  out?: string;
}

/** Rows per store query: the log is read a page at a time, and only the best so far are held. */
const PAGE = 1000;

type Candidate = LabelCandidate & { prediction: PredictionWithFeedback };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `hyperplane label-queue NAME`: the logged predictions most worth a human label, as a file to fill in and send back with `hyperplane feedback`. */
export function labelQueueCommand(): Command {
  return new Command('label-queue')
    .description("the model's logged predictions most worth a human label (those without feedback yet), exported with their ids and inputs and an empty outcome column to fill in and send back with `hyperplane feedback FILE`")
    .argument('<name>', 'the model')
    .option('--n <n>', 'how many to pick', '100')
    .option('--strategy <strategy>', `how to rank them: ${LABEL_STRATEGIES.join(', ')}`, 'uncertainty')
    .option('--since <when>', 'only predictions since then: a duration ago (7d, 12h, 30m) or a UTC date (2027-01-31)')
    .option('--until <when>', 'only predictions before then, as --since')
    .option('--version <n>', "only the model's version N")
    .option('--out <file>', 'write them to a .csv (or .jsonl, .parquet) file instead of printing CSV')
    .exitOverride()
    .action(async (name: string, flags: LabelQueueFlags) => {
      const n = wholeNumber(flags.n, '--n', Number.MAX_SAFE_INTEGER);
      const strategy = strategyOf(flags.strategy);
      const format = flags.out === undefined ? 'csv' : exportFormat(flags.out);
      if (format === undefined) throw new HyperplaneError(`--out ${flags.out}: expected a .csv, .jsonl (.ndjson) or .parquet file`);
      const now = Date.now();
      const query: PredictionQuery = {
        model: name,
        ...(flags.version !== undefined ? { version: wholeNumber(flags.version, '--version', Number.MAX_SAFE_INTEGER) } : {}),
        ...(flags.since !== undefined ? { since: parseSince(flags.since, now) } : {}),
        until: flags.until !== undefined ? parseSince(flags.until, now, '--until') : now + 1,
      };
      await withStore(async (store) => {
        // What stopped servers left unshipped is part of the log, as for `hyperplane predictions`.
        const { journalRoot, shipLeftovers } = await import('../../store/prediction-log/leftovers.js');
        await shipLeftovers(journalRoot(store), store.predictions);
        await checkLogged(store, name);
        const queue = await collect(store, query, n, strategy, name);
        const picks = queue.picks();
        const score = scoreName(strategy);
        if (picks.length === 0) {
          // The file is written all the same, empty: a script that sends it on never sends last week's.
          if (flags.out === undefined) process.stdout.write(`id,${score},outcome\n`);
          else await writeEmpty(flags.out, format, score);
          const without = queue.unscored > 0 ? ` with class probabilities (${queue.unscored.toLocaleString('en-US')} without)` : '';
          process.stderr.write(`no unlabelled predictions of ${name} in range${without}: nothing to label${flags.out === undefined ? '' : `; ${flags.out} holds no rows`}\n`);
          return;
        }
        const rows = picks.map(({ candidate, score: value }): ExportRow => {
          const { timestamp: _t, model: _m, version: _v, arm: _a, request_id: _r, latency_ms: _l, ...row } = exportRow(candidate.prediction, false);
          return { ...row, [score]: value, outcome: null };
        });
        if (flags.out === undefined) {
          const names = columnsOf(rows);
          process.stdout.write(`${names.map(csvField).join(',')}\n${rows.map((row) => `${names.map((c) => csvField(row[c] ?? null)).join(',')}\n`).join('')}`);
        } else {
          await exportRows(flags.out, format, async function* () {
            yield rows;
          });
        }
        const where = flags.out === undefined ? '' : ` to ${flags.out}`;
        const unscored = queue.unscored > 0 ? `; ${queue.unscored.toLocaleString('en-US')} without class probabilities left out` : '';
        const candidates = queue.seen.toLocaleString('en-US');
        process.stderr.write(
          picks.length < n
            ? `only ${candidates} unlabelled predictions of ${name} in range: all ${picks.length.toLocaleString('en-US')} written${where} (asked for ${n.toLocaleString('en-US')})${unscored}\n`
            : `${picks.length.toLocaleString('en-US')} of ${candidates} unlabelled predictions of ${name} picked by ${strategy}, written${where}${unscored}\n`,
        );
      });
    });
}

function strategyOf(text: string): LabelStrategy {
  if ((LABEL_STRATEGIES as readonly string[]).includes(text)) return text as LabelStrategy;
  throw new HyperplaneError(`--strategy ${text}: expected one of ${LABEL_STRATEGIES.join(', ')}`);
}

/**
 * The log read a page at a time into the queue: predictions without feedback, shadow copies left out
 * (their answers were never used). A model that predicts values has no probabilities to rank by: refused.
 */
async function collect(store: Store, query: PredictionQuery, n: number, strategy: LabelStrategy, name: string): Promise<LabelQueue<Candidate>> {
  const queue = new LabelQueue<Candidate>(n, strategy);
  let cursor: string | undefined;
  for (;;) {
    const page = await store.predictions.listWithFeedback({ ...query, limit: PAGE, ...(cursor !== undefined ? { cursor } : {}) });
    for (const p of page.predictions) {
      const response = isObject(p.response) ? p.response : {};
      if (typeof response['prediction'] === 'number' && !isObject(response['probabilities'])) {
        throw new HyperplaneError(`model '${name}' predicts values (a regression): label-queue ranks predictions by their class probabilities, which only a classifier logs`);
      }
      if (typeof response['score'] === 'number' && !isObject(response['probabilities'])) {
        throw new HyperplaneError(`model '${name}' flags anomalies by a score threshold: label-queue ranks predictions by their class probabilities, which only a classifier logs`);
      }
      if (p.feedback !== null || p.arm === 'shadow') continue;
      const probabilities = isObject(response['probabilities']) ? (response['probabilities'] as Record<string, number>) : {};
      queue.add({ id: p.id, input: p.request, probabilities, prediction: p });
    }
    if (page.nextCursor === null) return queue;
    cursor = page.nextCursor;
  }
}

/** id, the strategy's measure, the inputs, prediction and probabilities (as `predictions --out` names them), and the outcome to fill in: the order every format gets. */
function columnsOf(rows: readonly ExportRow[]): string[] {
  const columns = new ExportColumns();
  for (const row of rows) columns.add(row);
  return columns.list().map((c) => c.name);
}

/** A queue file with no rows: a CSV header, an empty JSON lines file, a Parquet file of the three columns. */
async function writeEmpty(path: string, format: ExportFormat, score: string): Promise<void> {
  if (format !== 'parquet') {
    writeFileSync(path, format === 'csv' ? `id,${score},outcome\n` : '');
    return;
  }
  const duckdb = (await import('@duckdb/node-bindings')).default;
  const { connect, sqlIdentifier, sqlString } = await import('../../data/duckdb-connection.js');
  const connection = await connect();
  try {
    await duckdb.query(connection, `COPY (SELECT NULL::VARCHAR AS id, NULL::DOUBLE AS ${sqlIdentifier(score)}, NULL::VARCHAR AS outcome WHERE false) TO ${sqlString(path)} (FORMAT parquet)`);
  } finally {
    duckdb.disconnect_sync(connection);
  }
}
