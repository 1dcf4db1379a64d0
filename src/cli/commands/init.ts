import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, extname, join, relative, resolve, sep } from 'node:path';
import { Command, Option } from 'commander';
import { HyperplaneError } from '../../errors.js';

type ConfigFormat = 'ts' | 'json' | 'yaml';

interface InitFlags {
  data?: string;
  target?: string;
  format: ConfigFormat;
}

/** The training data's file extensions (a .gz or .zst after them too), as the readers tell formats apart; .txt is left out: in data/ it is more often notes. */
const DATA_EXTENSIONS = ['.csv', '.tsv', '.tab', '.parquet', '.pq', '.json', '.ndjson', '.jsonl'];

/** Config files `train --config` reads: one of these in the folder is kept, and no second one is written beside it. */
const CONFIG_NAMES = ['hyperplane.config.ts', 'hyperplane.config.mts', 'hyperplane.config.js', 'hyperplane.config.mjs', 'hyperplane.config.json', 'hyperplane.config.yaml', 'hyperplane.config.yml'];

/** Column names that say "the label", tried before the last column. */
const TARGET_NAMES = ['target', 'label', 'class', 'outcome', 'y'];

/** What goes into the config when there is no data yet: a file to drop in, and a column to name. */
const PLACEHOLDER = { data: 'data/train.csv', target: 'target' };

const GITIGNORE_LINE = '.hyperplane/';

interface Target {
  name: string;
  /** Why this column: undefined when given with --target, else the guess's reason ('the last column'). */
  guess?: string;
  /** The task the column implies, with its reason (profile's wording); undefined when there is no data to read it from yet. */
  task?: string;
}

interface Plan {
  /** The data, relative to the project folder, with '/' (what the config holds), or undefined when there is none yet. */
  data?: string;
  target?: Target;
}

const isDataFile = (name: string): boolean => !name.startsWith('.') && DATA_EXTENSIONS.includes(extname(name.replace(/\.(gz|zst)$/i, '')).toLowerCase());

/** A path as a shell reads it: bare when it is only safe characters, else in single quotes. */
const shellWord = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** A path for messages and commands, relative to where the command runs ('.' for that folder itself). */
const shown = (path: string): string => relative(process.cwd(), path) || '.';

const posix = (path: string): string => path.split(sep).join('/');

/** How the user called this CLI, so the next command printed runs as typed: the repository's npm script, npx, or the bin on the PATH. */
function invocation(): { prefix: string; npmScript: boolean } {
  const env = process.env;
  if (env['npm_lifecycle_event'] === 'hyperplane' && /dist\/cli\/main\.js/.test(env['npm_lifecycle_script'] ?? '')) return { prefix: 'npm run -s hyperplane --', npmScript: true };
  if (env['npm_command'] === 'exec') return { prefix: 'npx hyperplane', npmScript: false };
  return { prefix: 'hyperplane', npmScript: false };
}

/** The project folder: made when missing; a file there is refused. */
function checkFolder(dir: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new HyperplaneError('is a file, not a folder: give the folder for the project (made if missing)', { file: shown(dir) });
}

/** The one data file in the project's data/ folder, or none; two or more is for --data to settle. */
function dataInFolder(dir: string): string | undefined {
  const data = join(dir, 'data');
  if (!existsSync(data)) return undefined;
  if (!statSync(data).isDirectory()) throw new HyperplaneError('is a file; the project keeps its data in a folder data/ (move the file into one)', { file: shown(data) });
  const files = readdirSync(data).filter((name) => isDataFile(name) && statSync(join(data, name)).isFile()).sort();
  if (files.length > 1) {
    const listed = files.slice(0, 5).join(', ') + (files.length > 5 ? `, … (${files.length} in all)` : '');
    throw new HyperplaneError(`holds ${files.length} data files (${listed}): name the training data with --data ${shellWord(posix(join(shown(data), files[0]!)))}`, { file: shown(data) });
  }
  return files.length === 1 ? join(data, files[0]!) : undefined;
}

/** Reads the data and settles the target: the one given (checked), else a column named like a label, else the last column that can be one. */
async function chooseTarget(path: string, given: string | undefined): Promise<Target> {
  const { loadData } = await import('../../data/load.js');
  const { findColumn, inferTarget, describeTarget } = await import('../../data/profile/target.js');
  const source = shown(path);
  const data = await loadData(source);
  const { table, schema } = data;
  const typeOf = (name: string) => schema.find((c) => c.name === name)!;
  const task = (name: string): string => describeTarget(inferTarget(findColumn(table, name, source), typeOf(name), table.nRows));
  if (given !== undefined) {
    findColumn(table, given, source);
    try {
      return { name: given, task: task(given) };
    } catch (e) {
      throw e instanceof HyperplaneError ? new HyperplaneError(`--target '${given}' ${e.reason}`, { file: source }) : e;
    }
  }
  const canBe = (name: string): string | undefined => {
    try {
      return task(name);
    } catch (e) {
      if (e instanceof HyperplaneError) return undefined;
      throw e;
    }
  };
  const names = table.columns.map((c) => c.name);
  for (const label of TARGET_NAMES) {
    const name = names.find((n) => n.toLowerCase() === label);
    const t = name === undefined ? undefined : canBe(name);
    if (t !== undefined) return { name: name!, guess: `the column named '${name}'`, task: t };
  }
  for (let i = names.length - 1; i >= 0; i--) {
    const t = canBe(names[i]!);
    if (t !== undefined) return { name: names[i]!, guess: i === names.length - 1 ? 'the last column' : `the last column that can be a target: ${names.slice(i + 1).map((n) => `'${n}'`).join(', ')} cannot`, task: t };
  }
  throw new HyperplaneError(`no column can be a target (each is an id, text, a date or constant): name it with --target COLUMN`, { file: source });
}

const tsString = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;

/** The config's text: the data, the target (with where it came from), auto within a minute, a 20% holdout, each with a line on what else it can be. */
async function configText(format: ConfigFormat, plan: Plan, typed: boolean): Promise<string> {
  const data = plan.data ?? PLACEHOLDER.data;
  const target = plan.target?.name ?? PLACEHOLDER.target;
  const dataNote = plan.data !== undefined ? 'The training data: a CSV/TSV, Parquet, JSON or NDJSON file, or a glob (data/*.parquet).' : 'The training data: drop a CSV/TSV, Parquet, JSON or NDJSON file into data/ and name it here.';
  const t = plan.target;
  const targetNote =
    t === undefined ? 'The column to predict: set it to a column of the data.' : t.task === undefined ? 'The column to predict.' : t.guess !== undefined ? `The column to predict, guessed by hyperplane init (${t.guess}): ${t.task}. Change it if it is another.` : `The column to predict: ${t.task}.`;
  const learnerNote = "auto scores every learner family within timeBudget seconds; or name one: learner: 'gbdt', params: { num_leaves: 31 }.";
  if (format === 'json') return `${JSON.stringify({ data, target, learner: 'auto', timeBudget: 60, evaluation: { split: 0.2 } }, null, 2)}\n`;
  if (format === 'yaml') {
    const { stringify } = await import('yaml');
    const scalar = (s: string): string => stringify(s).trimEnd();
    return [
      '# Settings for `hyperplane train --config hyperplane.config.yaml`; flags on the command line override them.',
      '# Paths are relative to this file.',
      `# ${dataNote}`,
      `data: ${scalar(data)}`,
      `# ${targetNote}`,
      `target: ${scalar(target)}`,
      `# ${learnerNote.replace("learner: 'gbdt', params: { num_leaves: 31 }", 'learner: gbdt with params: { num_leaves: 31 }')}`,
      'learner: auto',
      'timeBudget: 60',
      "# How the model is tested, one of: split: 0.2 (a holdout, the default), cv: 5, test: data/test.csv, timeSplit: { column: date, date: '2024-06-01' }.",
      'evaluation:',
      '  split: 0.2',
      '',
    ].join('\n');
  }
  const body = [
    `  // ${dataNote}`,
    `  data: ${tsString(data)},`,
    `  // ${targetNote}`,
    `  target: ${tsString(target)},`,
    `  // ${learnerNote}`,
    "  learner: 'auto',",
    '  timeBudget: 60,',
    "  // How the model is tested, one of: { split: 0.2 } (a holdout, the default), { cv: 5 }, { test: 'data/test.csv' }, { timeSplit: { column: 'date', date: '2024-06-01' } }.",
    '  evaluation: { split: 0.2 },',
  ].join('\n');
  const head = ['// Settings for `hyperplane train --config hyperplane.config.ts`; flags on the command line override them.', '// Paths are relative to this file.'];
  if (typed) return [...head, "import { defineConfig } from 'hyperplane';", '', 'export default defineConfig({', body, '});', ''].join('\n');
  // Without hyperplane installed here an import of defineConfig would not load; a type-only import is erased when the config runs.
  return [
    ...head,
    '// A type-only import: erased when the config runs, so it loads without hyperplane installed here; with it',
    '// installed (npm install --save-dev hyperplane) editors check every setting.',
    "import type { TrainConfigInput } from 'hyperplane';",
    '',
    'export default {',
    body,
    '} satisfies TrainConfigInput;',
    '',
  ].join('\n');
}

/** Whether `import … from 'hyperplane'` in a config in `dir` loads, as loadConfig loads it (jiti): the package installed there or above, or this package itself. */
async function hyperplaneResolves(dir: string): Promise<boolean> {
  const { createJiti } = await import('jiti');
  return createJiti(join(dir, 'hyperplane.config.ts')).esmResolve('hyperplane', { try: true }) !== undefined;
}

/** The project's README: what goes where, and the commands from data to a monitored model. */
function readmeText(dir: string, config: string, plan: Plan): string {
  const name = basename(dir);
  const model = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/.test(name) ? name : 'model';
  const data = plan.data ?? PLACEHOLDER.data;
  const target = plan.target?.name ?? PLACEHOLDER.target;
  const hp = 'npx hyperplane';
  const lines = [
    `# ${name}`,
    '',
    'A machine-learning project run with Hyperplane: the training data in `data/`, the training settings in',
    `\`${config}\`, and the runs, models and store in \`.hyperplane/\` (not committed: see \`.gitignore\`).`,
    '',
    ...(plan.data === undefined ? [`To start, drop the training data into \`data/\` (a CSV/TSV, Parquet, JSON or NDJSON file) and set \`data\` and \`target\` in \`${config}\`.`, ''] : []),
    '## Commands',
    '',
    'Run from this folder (`npx hyperplane` with Hyperplane installed here, `npm install --save-dev hyperplane`; `hyperplane` with it installed globally):',
    '',
    '```sh',
    `${hp} profile ${shellWord(data)} --target ${shellWord(target)}    # column types, missing values, imbalance, leakage`,
    `${hp} train --config ${config}    # prints the run id, the metrics and where the model went`,
    `${hp} runs list    # every run, newest first`,
    `${hp} models register RUN --name ${model} --alias production    # RUN: the run id train printed`,
    `${hp} predict ${model}@production data/new.csv > predictions.csv    # score new rows`,
    `${hp} serve    # a REST server for every production alias, on http://127.0.0.1:8080`,
    `${hp} monitor ${model}@production --since 7d    # drift and quality of what the server answered`,
    '```',
    '',
  ];
  return lines.join('\n');
}

interface Written {
  wrote: string[];
  kept: string[];
  notes: string[];
}

/** Writes `path` unless it exists. */
function writeNew(path: string, text: string, done: Written): void {
  if (existsSync(path)) {
    done.kept.push(path);
    return;
  }
  writeFileSync(path, text, { flag: 'wx' });
  done.wrote.push(path);
}

/** Adds `.hyperplane/` to the project's .gitignore (made if missing) unless a line already ignores it. */
function ignoreStore(dir: string, done: Written): void {
  const path = join(dir, '.gitignore');
  const block = `# Hyperplane's store, runs and models (hyperplane init)\n${GITIGNORE_LINE}\n`;
  if (!existsSync(path)) {
    writeFileSync(path, block, { flag: 'wx' });
    done.wrote.push(path);
    return;
  }
  const text = readFileSync(path, 'utf8');
  const ignored = text.split(/\r?\n/).some((l) => /^\/?\.hyperplane\/?(\*\*)?\s*$/.test(l.trim()));
  if (ignored) {
    done.notes.push(`${shown(path)} ignores ${GITIGNORE_LINE} already`);
    return;
  }
  appendFileSync(path, `${text === '' || text.endsWith('\n') ? '' : '\n'}${text === '' ? '' : '\n'}${block}`);
  done.notes.push(`added ${GITIGNORE_LINE} to ${shown(path)}`);
}

export function initCommand(): Command {
  return new Command('init')
    .description('write a project skeleton: a typed config, data/, .gitignore for .hyperplane/, and a README with the commands')
    .argument('[dir]', 'the project folder (made if missing)', '.')
    .option('--data <file>', 'the training data (default: the one data file in DIR/data/, if there is one)')
    .option('--target <column>', 'the column to predict (default: a column named target/label/class/outcome/y, else the last column that can be a target)')
    .addOption(new Option('--format <format>', "the config's format: ts (typed), json or yaml").choices(['ts', 'json', 'yaml']).default('ts'))
    .action(async (dirArg: string, flags: InitFlags) => {
      const dir = resolve(dirArg);
      // Everything is checked before anything is written: a refused init leaves the folder as it was.
      checkFolder(dir);
      const existing = existsSync(dir) ? CONFIG_NAMES.find((n) => existsSync(join(dir, n))) : undefined;
      let dataPath: string | undefined;
      if (flags.data !== undefined) {
        dataPath = resolve(flags.data);
        if (!existsSync(dataPath)) throw new HyperplaneError('no such file', { file: flags.data });
        if (!statSync(dataPath).isFile()) throw new HyperplaneError('is not a file: --data names the training data file', { file: flags.data });
      } else if (existing === undefined && existsSync(dir)) dataPath = dataInFolder(dir);
      if (flags.target === '') throw new HyperplaneError("--target '': expected a column name");
      const plan: Plan = {};
      if (existing === undefined && dataPath !== undefined) {
        plan.target = await chooseTarget(dataPath, flags.target);
        plan.data = posix(relative(dir, dataPath));
      } else if (existing === undefined && flags.target !== undefined) plan.target = { name: flags.target };
      const configName = existing ?? `hyperplane.config.${flags.format}`;
      const typed = existing === undefined && flags.format === 'ts' ? await hyperplaneResolves(dir) : false;

      const done: Written = { wrote: [], kept: [], notes: [] };
      mkdirSync(join(dir, 'data'), { recursive: true });
      writeNew(join(dir, configName), await configText(flags.format, plan, typed), done);
      writeNew(join(dir, 'data', 'README.md'), '# data\n\nThe training data: a CSV/TSV, Parquet, JSON or NDJSON file, named by `data` in the config. Large files are\nbetter kept out of git (add them to `.gitignore`) and fetched by a script.\n', done);
      ignoreStore(dir, done);
      writeNew(join(dir, 'README.md'), readmeText(dir, configName, plan), done);

      const out: string[] = [];
      for (const path of done.wrote) out.push(`wrote ${shown(path)}`);
      for (const note of done.notes) out.push(note);
      for (const path of done.kept) out.push(`kept  ${shown(path)} (it exists)`);
      if (existing !== undefined && (flags.data !== undefined || flags.target !== undefined)) out.push(`note: ${[flags.data !== undefined ? '--data' : '', flags.target !== undefined ? '--target' : ''].filter((f) => f !== '').join(' and ')} not applied: ${shown(join(dir, existing))} exists; edit it`);
      const t = plan.target;
      if (plan.data !== undefined && t !== undefined) {
        out.push(`data   ${plan.data}`);
        out.push(t.guess !== undefined ? `target ${t.name}, guessed (${t.guess}): ${t.task}; if it is another column, set target in ${posix(join(shown(dir), configName))}` : `target ${t.name}: ${t.task}`);
      }
      const { prefix, npmScript } = invocation();
      const here = resolve(dir) === process.cwd();
      // npm runs its scripts in the package's folder: there the config is named by its path; elsewhere the commands run in the project.
      const train = npmScript || here ? `${prefix} train --config ${shellWord(here ? configName : posix(join(shown(dir), configName)))}` : `cd ${shellWord(shown(dir))} && ${prefix} train --config ${configName}`;
      if (existing === undefined && plan.data === undefined) {
        out.push(`next: drop the training data into ${posix(join(shown(dir), 'data'))}/, set data${plan.target === undefined ? ' and target' : ''} in ${posix(join(shown(dir), configName))}, then:`, `  ${train}`);
      } else out.push('next:', `  ${train}`);
      process.stdout.write(`${out.join('\n')}\n`);
    });
}
