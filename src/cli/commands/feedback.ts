import { basename } from 'node:path';
import { Command } from 'commander';
import { HyperplaneError } from '../../errors.js';
import type { FeedbackInput, JsonValue, Store } from '../../store/index.js';
import { withStore } from '../store.js';

interface FeedbackFlags {
  idColumn: string;
  outcomeColumn: string;
}

/** Feedback rows per insert. */
const BATCH = 1000;
/** Bad rows printed before the count of the rest. */
const SHOWN_PROBLEMS = 20;

/** One row's feedback, with the line it came from. */
interface Row {
  line: number;
  id: string;
  outcome: JsonValue;
}

/**
 * `hyperplane feedback FILE`: true outcomes by prediction id from a file (a filled-in `label-queue`
 * export, or any CSV, Parquet or JSON lines file with the two columns), checked and scored as
 * `POST /v1/feedback` does. Rows with no outcome are skipped; any bad row refuses the whole file and
 * records nothing, so a file is taken whole or not at all and can be fixed and sent again.
 */
export function feedbackCommand(): Command {
  return new Command('feedback')
    .description('record true outcomes from a file (e.g. a filled-in label-queue export): an id and an outcome column; rows without an outcome are skipped, and a file with a bad row is refused whole')
    .argument('<file>', 'a .csv, .tsv, .parquet or .jsonl file')
    .option('--id-column <name>', "the column of prediction ids", 'id')
    .option('--outcome-column <name>', 'the column of true outcomes (labels, values, or {"reward": 0..1} as JSON)', 'outcome')
    .exitOverride()
    .action(async (file: string, flags: FeedbackFlags) => {
      const { rows, skipped } = await readFeedback(file, flags.idColumn, flags.outcomeColumn);
      await withStore(async (store) => {
        const { journalRoot, shipLeftovers } = await import('../../store/prediction-log/leftovers.js');
        await shipLeftovers(journalRoot(store), store.predictions);
        const batch = await checked(store, file, rows, flags.outcomeColumn, flags.idColumn);
        const now = Date.now();
        for (let i = 0; i < batch.length; i += BATCH) await store.feedback.insert(batch.slice(i, i + BATCH).map((f) => ({ ...f, timestamp: now })));
        const n = (k: number): string => k.toLocaleString('en-US');
        const recorded = batch.length > 0 ? `feedback from ${file} recorded` : `no row of ${file} has an outcome: nothing recorded`;
        process.stdout.write(`${n(batch.length)} accepted, ${n(skipped)} skipped (no outcome), 0 refused: ${recorded}\n`);
      });
    });
}

/** The file's rows with an outcome, each with its line (the header is line 1), and how many had none. */
async function readFeedback(file: string, idColumn: string, outcomeColumn: string): Promise<{ rows: Row[]; skipped: number }> {
  const { readTable } = await import('../../data/read/source.js');
  const { cellText, columnByName } = await import('../../data/table.js');
  let read = await readTable(file);
  for (const [column, flag] of [
    [idColumn, '--id-column'],
    [outcomeColumn, '--outcome-column'],
  ] as const) {
    if (columnByName(read.table, column) === undefined) {
      const found = read.table.columns.map((c) => c.name);
      throw new HyperplaneError(`no column '${column}' (${flag}); the file's columns: ${found.slice(0, 30).join(', ')}${found.length > 30 ? ', …' : ''}`, { file });
    }
  }
  // A CSV's cells as written ('01' stays '01'), not as the sniffer typed them.
  const typed = [idColumn, outcomeColumn].some((c) => columnByName(read.table, c)!.kind !== 'text' && columnByName(read.table, c)!.kind !== 'categorical');
  if (typed && (read.format === 'csv' || read.format === 'tsv')) read = await readTable(file, { columnTypes: { [idColumn]: 'string', [outcomeColumn]: 'string' } });
  const ids = columnByName(read.table, idColumn)!;
  const outcomes = columnByName(read.table, outcomeColumn)!;
  // A CSV's header is line 1; a JSON lines file's first row is line 1 (a Parquet file's rows are counted the same way).
  const firstLine = read.format === 'csv' || read.format === 'tsv' ? 2 : 1;
  const rows: Row[] = [];
  let skipped = 0;
  for (let r = 0; r < read.table.nRows; r++) {
    const text = cellText(outcomes, r);
    if (text === null || text.trim() === '') {
      skipped += 1;
      continue;
    }
    rows.push({ line: r + firstLine, id: cellText(ids, r) ?? '', outcome: outcomeOf(text.trim()) });
  }
  return { rows, skipped };
}

/** A cell as an outcome: a JSON object (`{"reward": 1}`) as its value, anything else as text; a number is made one once the prediction says the model predicts values. */
function outcomeOf(text: string): JsonValue {
  if (text.startsWith('{')) {
    try {
      return JSON.parse(text) as JsonValue;
    } catch {
      return text;
    }
  }
  return text;
}

/**
 * Each row checked as `POST /v1/feedback` checks an item (its shape, its id in the log, its outcome
 * against the prediction) and scored the same way; the feedback to record, or an error listing the
 * bad rows by line and column.
 */
async function checked(store: Store, file: string, rows: readonly Row[], outcomeColumn: string, idColumn: string): Promise<FeedbackInput[]> {
  const { feedbackItemProblem } = await import('../../serve/schemas/requests.js');
  const { scoreAgainst } = await import('../../store/feedback-outcome.js');
  const problems: string[] = [];
  const columnName = (field: string): string => (field === 'id' ? idColumn : field.startsWith('outcome') ? outcomeColumn : field);
  const bad = (line: number, field: string, problem: string): void => {
    problems.push(new HyperplaneError(problem, { file: basename(file), line, column: columnName(field) }).message);
  };
  const batch: FeedbackInput[] = [];
  const given = new Map<string, { line: number; outcome: string }>();
  for (const row of rows) {
    const shape = feedbackItemProblem({ id: row.id, outcome: row.outcome });
    if (shape !== undefined) {
      bad(row.line, shape.field, `${shape.problem}: expected ${shape.expected}`);
      continue;
    }
    const prediction = await store.predictions.get(row.id);
    if (prediction === undefined) {
      bad(row.line, 'id', `no prediction '${row.id.slice(0, 80)}' in the log`);
      continue;
    }
    const answer = prediction.response as { prediction?: unknown } | null;
    // A value model's outcome is a number: the cell's text read as one.
    const outcome = typeof answer?.prediction === 'number' && typeof row.outcome === 'string' && Number.isFinite(Number(row.outcome)) ? Number(row.outcome) : row.outcome;
    const scored = scoreAgainst(outcome, prediction.response);
    if (!('reward' in scored)) {
      bad(row.line, scored.field, `${scored.problem}: expected ${scored.expected}`);
      continue;
    }
    const key = JSON.stringify(outcome);
    const earlier = given.get(row.id);
    if (earlier !== undefined && earlier.outcome !== key) {
      bad(row.line, 'outcome', `prediction '${row.id.slice(0, 80)}' was given another outcome at line ${earlier.line}: expected one outcome per prediction`);
      continue;
    }
    given.set(row.id, { line: row.line, outcome: key });
    batch.push({ predictionId: row.id, outcome, reward: scored.reward });
  }
  if (problems.length > 0) {
    for (const p of problems.slice(0, SHOWN_PROBLEMS)) process.stderr.write(`${p}\n`);
    if (problems.length > SHOWN_PROBLEMS) process.stderr.write(`… and ${(problems.length - SHOWN_PROBLEMS).toLocaleString('en-US')} more\n`);
    const n = problems.length;
    throw new HyperplaneError(`${n.toLocaleString('en-US')} bad row${n === 1 ? '' : 's'} (listed above): the file was refused and nothing was recorded; fix ${n === 1 ? 'it' : 'them'}, or empty ${n === 1 ? 'its' : 'their'} outcome to skip ${n === 1 ? 'it' : 'them'}`, { file });
  }
  return batch;
}
