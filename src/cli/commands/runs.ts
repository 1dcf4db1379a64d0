import { Command, Option } from 'commander';
import { HyperplaneError } from '../../errors.js';
import type { MetricCondition, RunOrder, RunQuery, RunStatus, Store } from '../../store/index.js';
import { checkNoteText } from '../../store/notes.js';
import { MAX_NOTE_CHARS } from '../../store/tracking.js';
import { UnknownRunFieldError } from '../../store/unknown-field.js';
import { renderRunDiff, renderRunList, renderRun } from '../render/runs-text.js';
import { cliActor, runOrFail, withStore } from '../store.js';

interface ListFlags {
  experiment?: string;
  parent?: string;
  status?: RunStatus;
  tag?: string[];
  where?: string[];
  sort?: string;
  limit: string;
  cursor?: string;
  notes?: boolean;
  json?: boolean;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** --sort start | -start | auc | -auc: a leading '-' is descending, as in most CLIs; a metric alone is best (highest) first only with '-'. */
function order(sort: string | undefined): RunOrder | undefined {
  if (sort === undefined) return undefined;
  const direction = sort.startsWith('-') ? 'desc' : 'asc';
  const key = sort.replace(/^[-+]/, '');
  if (key === '') throw new HyperplaneError(`--sort '${sort}': expected start, a metric name, or either with a leading '-' for descending`);
  return key === 'start' ? { by: 'startTime', direction } : { by: 'metric', metric: key, direction };
}

/** A store error about a cursor, metric or tag, restated to name the flag that gave it. */
function namingTheFlag(e: unknown, flags: ListFlags): unknown {
  if (!(e instanceof HyperplaneError)) return e;
  if (e.location.field === 'cursor') return new HyperplaneError(`--cursor: ${e.reason}; give the one printed after the previous page, with the same --sort`);
  if (!(e instanceof UnknownRunFieldError)) return e;
  const where = e.kind === 'metric' ? flags.where?.find((w) => w.slice(0, w.search(/[<>=!]/)).trim() === e.unknown) : undefined;
  const tag = e.kind === 'tag' ? flags.tag?.find((t) => t.slice(0, t.indexOf('=')) === e.unknown) : undefined;
  const flag = where !== undefined ? `--where '${where}'` : tag !== undefined ? `--tag '${tag}'` : e.kind === 'metric' && flags.sort !== undefined ? `--sort '${flags.sort}'` : undefined;
  return flag === undefined ? e : new HyperplaneError(`${flag}: ${e.reason}`);
}

/** The model versions made from these runs, by run id. */
async function versionsFrom(store: Store, runIds: ReadonlySet<string>): Promise<Map<string, string[]>> {
  const from = new Map<string, string[]>();
  for (const model of await store.registry.listModels()) {
    for (const v of await store.registry.listVersions(model.name)) {
      if (v.runId !== null && runIds.has(v.runId)) from.set(v.runId, [...(from.get(v.runId) ?? []), `${v.model}/${v.version}`]);
    }
  }
  return from;
}

async function experimentNames(store: Store): Promise<Map<string, string>> {
  return new Map((await store.tracking.listExperiments()).map((e) => [e.id, e.name]));
}

/** `hyperplane runs list|show|note|compare|delete|repair`: what was trained, on what, and how well. */
export function runsCommand(): Command {
  const runs = new Command('runs').description('the runs recorded in the store: list, show, note, compare, delete, repair');

  runs
    .command('list')
    .description('list runs, newest first: filter by experiment, status, tag and metric; sort by a metric; page with --cursor')
    .option('--experiment <name>', 'only this experiment')
    .option('--parent <run>', "only the runs under this run (a search's trials): its id or a unique prefix")
    .addOption(new Option('--status <status>', 'only runs with this status').choices(['running', 'finished', 'failed', 'killed']))
    .option('--tag <key=value>', 'only runs with this tag (repeatable)', collect)
    .option('--where <condition>', "only runs whose metric meets this, e.g. 'auc > 0.9' (repeatable)", collect)
    .option('--sort <key>', "start, or a metric; '-' first for descending (-auc: best AUC first)")
    .option('--limit <n>', 'runs per page (at most 10,000)', '20')
    .option('--cursor <cursor>', 'the next page, as printed after the last one')
    .option('--notes', "add each run's latest note (see `runs note`)")
    .option('--json', 'print the page as JSON')
    .exitOverride()
    .action(async (flags: ListFlags) => {
      const { parseMetricCondition } = await import('../../store/index.js');
      const limit = Number(flags.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new HyperplaneError(`--limit ${flags.limit}: expected a whole number from 1 to 10,000`);
      const tags: Record<string, string> = {};
      for (const t of flags.tag ?? []) {
        const eq = t.indexOf('=');
        if (eq <= 0) throw new HyperplaneError(`--tag '${t}': expected KEY=VALUE, e.g. learner=gbdt`);
        tags[t.slice(0, eq)] = t.slice(eq + 1);
      }
      const metrics: MetricCondition[] = (flags.where ?? []).map((w) => parseMetricCondition(w));
      const sort = order(flags.sort);
      const query: RunQuery = {
        ...(flags.experiment !== undefined ? { experiment: flags.experiment } : {}),
        ...(flags.status !== undefined ? { status: flags.status } : {}),
        ...(Object.keys(tags).length > 0 ? { tags } : {}),
        ...(metrics.length > 0 ? { metrics } : {}),
        ...(sort !== undefined ? { orderBy: sort } : {}),
        limit,
        ...(flags.cursor !== undefined ? { cursor: flags.cursor } : {}),
      };
      await withStore(async (store) => {
        if (flags.parent !== undefined) {
          // A prefix, as everywhere a run is named; an unknown one is an error, not an empty list.
          const parent = await runOrFail(store, flags.parent);
          query.parent = parent.id;
        }
        const page = await store.tracking.listRuns(query).catch((e: unknown) => {
          throw namingTheFlag(e, flags);
        });
        const notes = flags.notes === true ? await store.tracking.latestNotes(page.runs.map((r) => r.id)) : undefined;
        if (flags.json) {
          // With --notes, each run carries its latest note in full (null when it has none).
          const runs = notes === undefined ? page.runs : page.runs.map((r) => ({ ...r, latestNote: notes.get(r.id) ?? null }));
          process.stdout.write(`${JSON.stringify({ ...page, runs }, null, 2)}\n`);
          return;
        }
        const lead = sort?.by === 'metric' ? sort.metric : undefined;
        process.stdout.write(`${renderRunList(page.runs, await experimentNames(store), lead, notes)}\n`);
        if (page.nextCursor !== null) process.stdout.write(`more: add --cursor ${page.nextCursor}\n`);
      });
    });

  runs
    .command('show')
    .description('everything recorded about a run')
    .argument('<run>', 'a run id, or a unique prefix of 6+ characters')
    .option('--json', 'print the run as JSON')
    .exitOverride()
    .action(async (ref: string, flags: { json?: boolean }) => {
      await withStore(async (store) => {
        const run = await runOrFail(store, ref);
        const experiment = (await experimentNames(store)).get(run.experimentId) ?? run.experimentId;
        const sizes = new Map(await Promise.all(run.artifacts.map(async (a) => [a.sha256, await store.artifacts.size(a.sha256)] as const)));
        process.stdout.write(flags.json ? `${JSON.stringify({ ...run, experiment }, null, 2)}\n` : `${renderRun(run, experiment, sizes)}\n`);
      });
    });

  runs
    .command('note')
    .description("add a note to a run's lab notebook: why it was made, what was learned from it")
    .argument('<run>', 'a run id, or a unique prefix of 6+ characters')
    .argument('<text>', `the note (at most ${MAX_NOTE_CHARS.toLocaleString('en-US')} characters)`)
    .exitOverride()
    .action(async (ref: string, text: string) => {
      // Checked before the store opens: an empty note is refused whatever the run.
      checkNoteText(text);
      await withStore(async (store) => {
        const run = await runOrFail(store, ref);
        const note = await store.tracking.addNote(run.id, text, await cliActor());
        process.stdout.write(`noted on run ${run.id} by ${note.author}\n`);
      });
    });

  runs
    .command('compare')
    .description('what differs between two runs: params, metrics, data, tags, code and environment')
    .argument('<a>', 'a run id or prefix')
    .argument('<b>', 'another')
    .option('--json', 'print the differences as JSON')
    .exitOverride()
    .action(async (refA: string, refB: string, flags: { json?: boolean }) => {
      await withStore(async (store) => {
        const a = await runOrFail(store, refA);
        const b = await runOrFail(store, refB);
        const { text, diff } = renderRunDiff(a, b);
        process.stdout.write(flags.json ? `${JSON.stringify(diff, null, 2)}\n` : `${text}\n`);
      });
    });

  runs
    .command('delete')
    .description('delete runs permanently: their params, metrics, tags and artifact links (`hyperplane gc` then frees the blobs)')
    .argument('<runs...>', 'run ids or prefixes')
    .option('--yes', 'do not ask (needed when not at a terminal)')
    .exitOverride()
    .action(async (refs: string[], flags: { yes?: boolean }) => {
      await withStore(async (store) => {
        // The same run given twice (by id and by prefix) is deleted once.
        const found = [...new Map((await Promise.all(refs.map((r) => runOrFail(store, r)))).map((r) => [r.id, r])).values()];
        // Checked before deleting any, so a refusal deletes nothing (the store still refuses each one itself).
        const blocked = await versionsFrom(store, new Set(found.map((r) => r.id)));
        if (blocked.size > 0) {
          const list = [...blocked].map(([id, versions]) => `${id} (${versions.join(', ')})`).join('; ');
          throw new HyperplaneError(`nothing deleted: model versions come from run${blocked.size > 1 ? 's' : ''} ${list}; delete those versions first (hyperplane models delete NAME/N --yes)`, { field: 'run' });
        }
        if (flags.yes !== true) {
          if (!process.stdin.isTTY) throw new HyperplaneError(`deleting ${found.length} run${found.length > 1 ? 's' : ''} is permanent: add --yes to confirm`);
          const { createInterface } = await import('node:readline/promises');
          const rl = createInterface({ input: process.stdin, output: process.stderr });
          const answer = await rl.question(`delete ${found.map((r) => r.id.slice(0, 8)).join(', ')} permanently? [y/N] `);
          rl.close();
          if (!/^y(es)?$/i.test(answer.trim())) {
            process.stderr.write('nothing deleted\n');
            return;
          }
        }
        for (const run of found) {
          await store.tracking.deleteRun(run.id);
          process.stdout.write(`deleted run ${run.id}\n`);
        }
      });
    });

  runs
    .command('repair')
    .description('mark runs whose process died (kill -9, a lost machine) as failed')
    .exitOverride()
    .action(async () => {
      // Opened without the automatic repair, so that what is repaired can be named.
      await withStore(
        async (store) => {
          const ids = await store.tracking.markStaleRunsFailed();
          process.stdout.write(ids.length > 0 ? `marked failed, their process is gone: ${ids.join(', ')}\n` : 'no run is left running by a dead process\n');
        },
        { repair: false },
      );
    });

  return runs;
}
