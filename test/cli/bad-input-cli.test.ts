import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectRefused as refused, fixture, ROOT, runCliAsync, tempDir } from '../helpers.js';

const run = (args: readonly string[]) => runCliAsync(args, 50_000);
const expectRefused = (args: readonly string[], pattern: RegExp) => refused(args, pattern, 50_000);

// Each check is its own CLI process, in its own files under \`dir\`, and none changes what another reads: they run
// side by side (vitest's maxConcurrency at a time).
describe.concurrent('bad CLI input: exit 2 and one clear line', () => {
  let dir: string;
  const at = (name: string): string => join(dir, name);
  /** A train config of rules on penguins whose one condition is `condition`. */
  const rulesConfig = (name: string, condition: string): string => {
    const path = at(name);
    writeFileSync(path, JSON.stringify({ data: fixture('penguins.json'), target: 'Species', learner: 'rules', out: at(`${name}-out`), rules: { conditions: [{ if: condition, then: 'Gentoo' }], otherwise: 'Adelie' } }));
    return path;
  };

  beforeAll(() => {
    dir = tempDir();
  });

  describe('rules expressions', () => {
    it('nested 5,000 deep is refused, naming the limit', () =>
      expectRefused(['train', '--config', rulesConfig('deep.json', `${'('.repeat(5000)}\`Flipper Length (mm)\` > 205${')'.repeat(5000)}`), '--no-track'], /rules\.conditions\.0\.if.*nested more than 100 levels deep/));
    it("5,000 'not's deep is refused too", () =>
      expectRefused(['train', '--config', rulesConfig('nots.json', `${'not '.repeat(5000)}\`Flipper Length (mm)\` > 205`), '--no-track'], /nested more than 100 levels deep/));
    it("5,000 '-'s deep is refused too", () =>
      expectRefused(['train', '--config', rulesConfig('minus.json', `${'-'.repeat(5000)}\`Flipper Length (mm)\` > 205`), '--no-track'], /nested more than 100 levels deep/));
    it('10,000 flat terms (a + a + …) train, and predict', async () => {
      const sum = Array.from({ length: 10_000 }, () => '`Flipper Length (mm)`').join(' + ');
      const r = await run(['train', '--config', rulesConfig('flat.json', `${sum} > 2050000`), '--no-track', '--json']);
      expect(r.signal).toBeNull();
      expect(r.code, r.stderr).toBe(0);
      const p = await run(['predict', join(at('flat.json-out'), 'model.hpkg'), fixture('penguins.json')]);
      expect(p.code, p.stderr).toBe(0);
      // Flipper > 205 is Gentoo, as the one-term rule says.
      const rows = JSON.parse(readFileSync(fixture('penguins.json'), 'utf8')) as Record<string, unknown>[];
      const labels = p.stdout.trimEnd().split('\n').slice(1);
      expect(labels).toHaveLength(rows.length);
      rows.forEach((row, i) => {
        const f = row['Flipper Length (mm)'];
        expect(labels[i]!.split(',')[0]).toBe(typeof f === 'number' && f * 10_000 > 2_050_000 ? 'Gentoo' : 'Adelie');
      });
    });
    it('10,000 flat conditions joined by and/or train', async () => {
      const chain = Array.from({ length: 10_000 }, (_, i) => `\`Flipper Length (mm)\` > ${i % 2 === 0 ? 205 : 0}`).join(' and ');
      const r = await run(['train', '--config', rulesConfig('and.json', chain), '--no-track', '--json']);
      expect(r.signal).toBeNull();
      expect(r.code, r.stderr).toBe(0);
    });
  });

  describe('synth bounds', () => {
    it('--rows 1e12 names --rows and the maximum', () => expectRefused(['synth', '--rows', '1e12', '--out', at('s.csv')], /--rows 1,000,000,000,000: at most 10,000,000/));
    it('--rows 0', () => expectRefused(['synth', '--rows', '0', '--out', at('s.csv')], /--rows '0': expected a positive integer/));
    it('--rows -5', () => expectRefused(['synth', '--rows', '-5', '--out', at('s.csv')], /--rows '-5': expected a positive integer/));
    it('--rows 2.5', () => expectRefused(['synth', '--rows', '2.5', '--out', at('s.csv')], /--rows '2\.5': expected a positive integer/));
    it('--rows 1e3 is a thousand rows', async () => {
      const r = await run(['synth', '--rows', '1e3', '--features', '3', '--out', at('k.csv')]);
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(at('k.csv'), 'utf8').trimEnd().split('\n')).toHaveLength(1001);
    });
    it('--features 1e9 names the maximum', () => expectRefused(['synth', '--features', '1e9', '--out', at('s.csv')], /--features 1,000,000,000: at most 10,000/));
    it('--rows × --features past the memory bound', () =>
      expectRefused(['synth', '--rows', '10000000', '--features', '5000', '--out', at('s.csv')], /--rows 10,000,000 × --features 5,000.*at most 200,000,000 values/));
    it('--features 1', () => expectRefused(['synth', '--features', '1', '--out', at('s.csv')], /--features 1: expected at least 2/));
    it('--classes 2 for multiclass is not silently 3', () => expectRefused(['synth', '--task', 'multiclass', '--classes', '2', '--out', at('s.csv')], /--classes 2: multiclass needs at least 3/));
    it('--classes 1e6', () => expectRefused(['synth', '--task', 'multiclass', '--classes', '1e6', '--out', at('s.csv')], /--classes 1,000,000: at most 1,000/));
    it('--classes for a binary task is not silently ignored', () => expectRefused(['synth', '--classes', '5', '--out', at('s.csv')], /--classes is for --task multiclass/));
    it('--seed 1e300 (not an exact integer)', () => expectRefused(['synth', '--seed', '1e300', '--out', at('s.csv')], /--seed '1e300': expected an integer/));
  });

  describe('config files that do not parse', () => {
    const train = (name: string, text: string): string[] => {
      writeFileSync(at(name), text);
      return ['train', '--config', at(name), '--no-track'];
    };
    it('a YAML syntax error names the line and the YAML error, once', () =>
      expectRefused(train('hyperplane.config.yaml', 'data: x.csv\ntarget: y\n  learner: gbdt\n'), /hyperplane\.config\.yaml, line 2: not valid YAML: [^:]+ \(column \d+\)$/));
    it('a YAML tab names its line', () => expectRefused(train('tab.yaml', 'data: x.csv\n\ttarget: y\n'), /tab\.yaml, line 2: not valid YAML: Tabs are not allowed as indentation \(column 1\)$/));
    it('an empty YAML file', () => expectRefused(train('empty.yaml', '# nothing yet\n'), /empty\.yaml: the config is empty/));
    it('a YAML file that is one word', () => expectRefused(train('word.yaml', 'gbdt\n'), /word\.yaml: the config must be a mapping of settings \(key: value\), not a string/));
    it('a JSON syntax error names the line and column', () =>
      expectRefused(train('c.json', '{\n  "data": "x.csv",\n  "target": "y",\n}\n'), /c\.json, line 4: not valid JSON: .* \(column 1\)$/));
    it('an empty JSON file', () => expectRefused(train('e.json', ''), /e\.json: the config is empty/));
    it('a TypeScript config that throws names its error', () => expectRefused(train('t.ts', 'throw new Error("boom")\n'), /t\.ts: the config threw an error: boom/));
    it('a TypeScript config without a default export', () => expectRefused(train('n.ts', 'export const data = "x.csv"\n'), /n\.ts: the config has no default export/));
    it('a TypeScript config that does not parse', () => expectRefused(train('p.ts', 'export default { data: "x.csv", target: \n'), /p\.ts: .*(parse|Unexpected)/i));
  });

  describe('flags and settings added with the refit and the prediction journal', () => {
    it("refit that is not true or false in a config names the field", () => {
      const path = at('refit.json');
      writeFileSync(path, JSON.stringify({ data: fixture('penguins.json'), target: 'Species', refit: 'yes' }));
      return expectRefused(['train', '--config', path, '--no-track'], /refit.*expected boolean/i);
    });
    it('--journal-sync that is neither ms nor always', () => expectRefused(['serve', '--journal-sync', 'soon'], /--journal-sync soon: expected a whole number from 1 to 60000/));
    it('--journal-sync 0', () => expectRefused(['serve', '--journal-sync', '0'], /--journal-sync 0: expected a whole number from 1 to 60000/));
    it('--journal-max-bytes below 1 MiB', () => expectRefused(['serve', '--journal-max-bytes', '1000'], /--journal-max-bytes 1000: expected a whole number, 1048576 or more/));
  });

  describe('the scheduled monitor', () => {
    it('--monitor-every 0s', () => expectRefused(['serve', '--monitor-every', '0s'], /--monitor-every 0s: expected a whole number and a unit, s, m, h or d \(e\.g\. 30d\), above 0/));
    it('--monitor-every with --no-log', () => expectRefused(['serve', '--monitor-every', '1m', '--no-log'], /--monitor-every reads what the prediction log folds, which --no-log turns off/));
    it('--monitor-config without --monitor-every', () => expectRefused(['serve', '--monitor-config', at('m.json')], /--monitor-config holds the scheduled monitor's alert rules: give --monitor-every too/));
    it('--monitor-config with a malformed rule names it', () => {
      const path = at('rules.json');
      writeFileSync(path, JSON.stringify({ monitor: { alerts: [{ when: 'auc <' }] } }));
      return expectRefused(['serve', '--monitor-every', '1m', '--monitor-config', path], /rules\.json: monitor\.alerts\.0\.when 'auc <': expected METRIC OP NUMBER/);
    });
  });

  describe('explanations and imports', () => {
    it('--explain that is neither a count nor all', () => expectRefused(['predict', 'model.hpkg', fixture('penguins.json'), '--explain', 'some'], /--explain some: expected a number of driving factors from 1 to 9999, or all/));
    it('--explain 0', () => expectRefused(['predict', 'model.hpkg', fixture('penguins.json'), '--explain', '0'], /--explain 0: expected a number of driving factors from 1 to 9999, or all/));
    it('--interventional without --explain', () => expectRefused(['predict', 'model.hpkg', fixture('penguins.json'), '--interventional'], /--interventional is a way to --explain/));
    it('import xgboost of a file that is not a model', () => expectRefused(['import', 'xgboost', fixture('penguins.json'), '--out', at('x.hpkg')], /penguins\.json/));
    it('import onnx of a file that is not ONNX', () => expectRefused(['import', 'onnx', fixture('penguins.json'), '--out', at('x.hpkg')], /penguins\.json/));
    it('import onnx of a graph with an op it cannot convert names the op', () => expectRefused(['import', 'onnx', join(ROOT, 'test', 'fixtures', 'onnx', 'svm.onnx'), '--out', at('x.hpkg')], /op 'SVMClassifier' \(node '[^']+'\): /));
    it('import onnx --reference without the model\'s columns names them', () => expectRefused(['import', 'onnx', join(ROOT, 'test', 'fixtures', 'onnx', 'gbdt-multiclass.onnx'), '--out', at('x.hpkg'), '--reference', fixture('penguins.json')], /the model needs columns 'float_input_0'/));
    it('export --format that is not onnx', () => expectRefused(['export', 'model.hpkg', '--format', 'pmml', '--out', at('m.onnx')], /--format pmml: the formats are: onnx/));
  });

  describe('the lab notebook', () => {
    it('train --note with only spaces', () => expectRefused(['train', fixture('penguins.json'), '--target', 'Species', '--note', '   '], /--note: a note needs some text: it is empty or only whitespace/));
    it('train --note with --no-track', () => expectRefused(['train', fixture('penguins.json'), '--target', 'Species', '--note', 'why', '--no-track'], /--note is kept with the run in the store, and --no-track records no run/));
    it('runs note with an empty note', () => expectRefused(['runs', 'note', 'abcdef12', ''], /a note needs some text/));
  });

  describe('retraining, abstention and active labelling', () => {
    it('retrain of a version, not an alias', () => expectRefused(['retrain', 'churn/3', '--data', fixture('penguins.json')], /retrain moves an alias to the better model; name the alias, e\.g\. churn@production/));
    it('retrain --min-gain that is not a number', () => expectRefused(['retrain', 'churn', '--data', fixture('penguins.json'), '--min-gain', '1%'], /--min-gain 1%: expected a number in the metric's units/));
    it('retrain of a model the store does not have', () => expectRefused(['retrain', 'nomodel', '--data', fixture('penguins.json')], /no model named 'nomodel'/));
    it('deploy --abstain-below above 1', () => expectRefused(['deploy', 'cancer', '--abstain-below', '1.5'], /--abstain-below 1\.5: expected a probability above 0 and at most 1/));
    it('label-queue --n 0', () => expectRefused(['label-queue', 'cancer', '--n', '0'], /--n 0: expected a whole number of 1 or more/));
    it('label-queue with an unknown strategy', () => expectRefused(['label-queue', 'cancer', '--strategy', 'random'], /--strategy random: expected one of uncertainty, margin, diverse/));
    it('feedback from a file without an id column names the columns it has', () => expectRefused(['feedback', fixture('wine.csv')], /no column 'id' \(--id-column\); the file's columns: /));
  });

  describe('the dashboard, search, ablation and run parents', () => {
    it('ui --port out of range', () => expectRefused(['ui', '--port', '70000'], /--port 70000: expected a whole number from 0 to 65535/));
    it('search without --learner', () => expectRefused(['search', 'x.csv', '--target', 'y'], /name the learner to search with --learner/));
    it('search with a malformed --space', () => expectRefused(['search', 'x.csv', '--target', 'y', '--learner', 'gbdt', '--space', 'num_leaves=7-127'], /--space: 'num_leaves=7-127' is not NAME=LOW\.\.HIGH\[:log\] or NAME=A\|B\|C/));
    it('search --space with an unknown param lists the params', () => expectRefused(['search', 'x.csv', '--target', 'y', '--learner', 'logistic', '--space', 'alpha=1..2'], /--space: logistic has no param 'alpha'; its params are: penalty, C, /));
    it('search --strategy asha without a budget', () => expectRefused(['search', 'x.csv', '--target', 'y', '--learner', 'logistic', '--strategy', 'asha'], /--strategy asha needs a budget/));
    it('search --budget that is not PARAM=MIN..MAX', () => expectRefused(['search', 'x.csv', '--target', 'y', '--learner', 'gbdt', '--strategy', 'asha', '--budget', 'rounds'], /--budget 'rounds' is not PARAM=MIN\.\.MAX/));
    it('search --budget without asha', () => expectRefused(['search', 'x.csv', '--target', 'y', '--learner', 'gbdt', '--budget', 'n_estimators=10..90'], /--budget is for --strategy asha/));
    it('search --cv 1', () => expectRefused(['search', 'x.csv', '--target', 'y', '--learner', 'gbdt', '--cv', '1'], /--cv 1: expected a whole number, 2 or more/));
    it('search of an unknown learner', () => expectRefused(['search', 'x.csv', '--target', 'y', '--learner', 'nope'], /--learner 'nope': unknown/));
    it('search without data or --resume', () => expectRefused(['search', '--target', 'y', '--learner', 'gbdt'], /give the training data, or --resume RUN to continue a search/));
    it('search --threads 0', () => expectRefused(['search', 'x.csv', '--target', 'y', '--learner', 'gbdt', '--threads', '0'], /--threads 0: expected a whole number, 1 or more/));
    it('search --time-budget 0', () => expectRefused(['search', 'x.csv', '--target', 'y', '--learner', 'gbdt', '--time-budget', '0'], /--time-budget 0: expected seconds, above 0/));
    it('search --resume with data and settings', () => expectRefused(['search', 'x.csv', '--resume', 'abcdef12', '--trials', '9'], /--resume continues the search as it was recorded: drop the data argument, --trials/));
    it('search --resume with --no-track', () => expectRefused(['search', '--resume', 'abcdef12', '--no-track'], /--resume reads the search from the store: drop --no-track/));
    it('search --group with --time-split', () => expectRefused(['search', 'x.csv', '--target', 'y', '--learner', 'gbdt', '--group', 'c', '--time-split', 'day=2024-01-01'], /choose one of --group and --time-split/));
    it('search --time-split with --cv', () => expectRefused(['search', 'x.csv', '--target', 'y', '--learner', 'gbdt', '--cv', '3', '--time-split', 'day=2024-01-01'], /choose one of --cv and --time-split/));
    it('search --time-split that is not COLUMN=DATE', () => expectRefused(['search', 'x.csv', '--target', 'y', '--learner', 'gbdt', '--time-split', 'day'], /--time-split 'day': expected COLUMN=DATE, e\.g\. signup=2024-06-01/));
    it('search --resume of no run', () => expectRefused(['search', '--resume', 'f'.repeat(32)], /no run 'f{32}'/));
    it('ablate of no run', () => expectRefused(['ablate', 'feedfacecafe'], /no run 'feedfacecafe' in /));
    it('ablate --cv 1', () => expectRefused(['ablate', 'feedfacecafe', '--cv', '1'], /--cv 1: expected a whole number, 2 or more/));
    it('ablate with a malformed --groups', () => expectRefused(['ablate', 'feedfacecafe', '--groups', 'a;;b'], /--groups 'a;;b': group 2 is empty; expected groups of columns like 'a,b;c'/));
    it('runs list --parent of no run', () => expectRefused(['runs', 'list', '--parent', 'f'.repeat(32)], /no run 'f{32}'/));
  });

  describe("gbdt's guards on categorical splits", () => {
    it('--min-data-per-group 0', () => expectRefused(['train', fixture('penguins.json'), '--target', 'Species', '--learner', 'gbdt', '--min-data-per-group', '0', '--no-track'], /^hyperplane: error: --min-data-per-group 0: Too small: expected number to be >=1$/));
    it('--cat-smooth -1', () => expectRefused(['train', fixture('penguins.json'), '--target', 'Species', '--learner', 'gbdt', '--cat-smooth', '-1', '--no-track'], /^hyperplane: error: --cat-smooth -1: Too small: expected number to be >=0$/));
    it('--cat-l2 for a forest', () => expectRefused(['train', fixture('penguins.json'), '--target', 'Species', '--learner', 'forest', '--cat-l2', '1', '--no-track'], /--cat-l2 is a parameter of gbdt, not of forest/));
  });

  describe('auto\'s refinement, --prefer, and train and predict on the queue', () => {
    it('train --refine x', () => expectRefused(['train', 'x.csv', '--target', 'y', '--refine', 'x'], /--refine x: expected a whole number, 0 or more/));
    it('train --refine for a named learner', () => expectRefused(['train', 'x.csv', '--target', 'y', '--learner', 'gbdt', '--refine', '3'], /--refine is for --learner auto; gbdt is fitted with the params given/));
    it('train --prefer for a named learner', () => expectRefused(['train', 'x.csv', '--target', 'y', '--learner', 'gbdt', '--prefer', 'simple'], /--prefer is for --learner auto \(it chooses among the candidates\); gbdt is the one asked for/));
    it('train --queue for a named learner', () => expectRefused(['train', 'x.csv', '--target', 'y', '--learner', 'gbdt', '--queue', 'redis://127.0.0.1:6379'], /--queue is for --learner auto \(its candidates are the jobs\); gbdt is one fit: drop --queue/));
    it('train --threads 0', () => expectRefused(['train', 'x.csv', '--target', 'y', '--threads', '0'], /--threads 0: expected a whole number, 1 or more/));
    it('train --threads for a named learner', () => expectRefused(['train', 'x.csv', '--target', 'y', '--learner', 'gbdt', '--threads', '2'], /--threads is for --learner auto \(its candidates are scored at once\); gbdt is one fit/));
    it('train --threads beside --queue', () => expectRefused(['train', 'x.csv', '--target', 'y', '--threads', '2', '--queue', 'redis://127.0.0.1:6379'], /--threads is for scoring auto's candidates here, and --queue sends them to the workers: drop one of them/));
    it('train --queue that is not redis://', () => expectRefused(['train', 'x.csv', '--target', 'y', '--queue', 'http://x'], /--queue 'http:\/\/x': expected redis:\/\/HOST:PORT/));
    it('predict --queue without an --out directory', () => expectRefused(['predict', 'm.hpkg', 'x.csv', '--queue', 'redis://127.0.0.1:6379'], /with --queue, --out is a directory \(e\.g\. --out predictions\/\): one output per input file/));
    it('predict --queue with --explain', () => expectRefused(['predict', 'm.hpkg', 'x.csv', '--queue', 'redis://127.0.0.1:6379', '--out', 'o/', '--explain', '2'], /--explain is not done on the queue yet/));
  });

  describe('train --group', () => {
    const train = (...args: string[]): string[] => ['train', fixture('penguins.json'), '--target', 'Species', '--learner', 'gbdt', '--n-estimators', '5', '--no-track', ...args];
    it('of an unknown column lists the columns', () => expectRefused(train('--group', 'island'), /--group 'island': no such column \(did you mean 'Island'\?\); columns are: Species, Island, /));
    it('with --test', () => expectRefused(train('--group', 'Island', '--test', fixture('penguins.json')), /--group is for --split and --cv: a separate test file is held out as it is \(drop --group or --test\)/));
    it('with --time-split', () => expectRefused(train('--group', 'Island', '--time-split', 'date=2024-01-01'), /--group is for --split and --cv: a time split already keeps later rows out of training/));
    it('equal to the target', () => expectRefused(train('--group', 'Species'), /--group 'Species' is the target/));
    it('with fewer groups than folds', () => expectRefused(train('--group', 'Island', '--cv', '5'), /--group 'Island' has 3 groups: too few for 5-fold group cross-validation \(lower --cv/));
    it('--snapshot with --no-track', () => expectRefused(train('--snapshot'), /--snapshot keeps the data in the store, and --no-track records nothing there: drop one of them/));
    it('--snapshot-max-mb that is not a size', () => expectRefused(train('--snapshot-max-mb', 'lots'), /--snapshot-max-mb 'lots': expected a size in MiB, 0 or more/));
    it('--snapshot-max-mb below 0', () => expectRefused(train('--snapshot-max-mb=-1'), /--snapshot-max-mb '-1': expected a size in MiB, 0 or more/));
  });
});
