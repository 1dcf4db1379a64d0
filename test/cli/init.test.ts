import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { cli, expectRefused, fixture, ROOT, tempDir } from '../helpers.js';

// As a user at a terminal calls it: not through npm run or npx, whose variables the test runner may carry.
const env = { npm_command: '', npm_lifecycle_event: '' };
const init = (args: string[], cwd: string) => cli(['init', ...args], { cwd, env });

/** A folder with the breast cancer data dropped into data/. */
function withData(): string {
  const dir = tempDir('hyperplane-init-');
  mkdirSync(join(dir, 'data'));
  copyFileSync(fixture('breast_cancer.csv'), join(dir, 'data', 'breast_cancer.csv'));
  return dir;
}

describe('hyperplane init', () => {
  it('in a fresh folder with a CSV in data/: the skeleton, the target guessed, and train runs on the config as printed', async () => {
    const dir = withData();
    const r = await init([], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('wrote hyperplane.config.ts');
    expect(r.stdout).toMatch(/^target diagnosis, guessed \(the last column\): binary/m);
    expect(r.stdout).toMatch(/\nnext:\n {2}hyperplane train --config hyperplane.config.ts\n$/);
    for (const f of ['hyperplane.config.ts', 'README.md', '.gitignore', join('data', 'README.md')]) expect(existsSync(join(dir, f)), f).toBe(true);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toMatch(/^\.hyperplane\/$/m);
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    for (const c of ['profile data/breast_cancer.csv --target diagnosis', 'train --config hyperplane.config.ts', 'runs list', 'models register', 'serve', 'predict', 'monitor']) expect(readme).toContain(c);
    // No hyperplane installed here: a type-only import, which the loader erases.
    const text = readFileSync(join(dir, 'hyperplane.config.ts'), 'utf8');
    expect(text).toContain("import type { TrainConfigInput } from 'hyperplane';");
    expect(text).toMatch(/guessed by hyperplane init \(the last column\)/);
    const config = await loadConfig(join(dir, 'hyperplane.config.ts'));
    expect(config).toMatchObject({ data: join(dir, 'data', 'breast_cancer.csv'), target: 'diagnosis', learner: 'auto' });

    // Leads straight to train: the printed command, run in the folder.
    const train = await cli(['train', '--config', 'hyperplane.config.ts', '--learner', 'logistic', '--no-snapshot', '--json'], { cwd: dir });
    expect(train.code, train.stderr).toBe(0);
    expect(JSON.parse(train.stdout).test.auc).toBeGreaterThan(0.9);
  });

  it('--target, --format json, and a project with hyperplane installed gets defineConfig', async () => {
    const dir = withData();
    const r = await init(['--target', 'diagnosis', '--format', 'json'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^target diagnosis: binary/m);
    expect(JSON.parse(readFileSync(join(dir, 'hyperplane.config.json'), 'utf8'))).toMatchObject({ data: 'data/breast_cancer.csv', target: 'diagnosis' });
    expect(await loadConfig(join(dir, 'hyperplane.config.json'))).toMatchObject({ data: join(dir, 'data', 'breast_cancer.csv'), target: 'diagnosis' });

    const typed = withData();
    mkdirSync(join(typed, 'node_modules'));
    symlinkSync(ROOT, join(typed, 'node_modules', 'hyperplane'), 'dir');
    const t = await init(['--target', 'diagnosis'], typed);
    expect(t.code, t.stderr).toBe(0);
    expect(readFileSync(join(typed, 'hyperplane.config.ts'), 'utf8')).toMatch(/import \{ defineConfig \} from 'hyperplane';\n\nexport default defineConfig\(\{/);
    expect((await loadConfig(join(typed, 'hyperplane.config.ts'))).target).toBe('diagnosis');
  });

  it('into another folder: made if missing, with no data yet the next steps, and the train command for that folder', async () => {
    const cwd = tempDir('hyperplane-init-');
    const r = await init(['my-project', '--format', 'yaml'], cwd);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('wrote my-project/hyperplane.config.yaml');
    expect(r.stdout).toMatch(/next: drop the training data into my-project\/data\/, set data and target in my-project\/hyperplane.config.yaml, then:\n {2}cd my-project && hyperplane train --config hyperplane.config.yaml\n$/);
    expect(existsSync(join(cwd, 'my-project', 'data'))).toBe(true);
    // The placeholders load; train then says the data is missing.
    expect(await loadConfig(join(cwd, 'my-project', 'hyperplane.config.yaml'))).toMatchObject({ target: 'target' });
  });

  it('keeps an existing .gitignore and README.md, adds the store line once, and a second run changes nothing', async () => {
    const dir = withData();
    writeFileSync(join(dir, '.gitignore'), 'node_modules/');
    writeFileSync(join(dir, 'README.md'), '# mine\n');
    const r = await init(['--target', 'diagnosis'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('added .hyperplane/ to .gitignore');
    expect(r.stdout).toContain('kept  README.md (it exists)');
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe("node_modules/\n\n# Hyperplane's store, runs and models (hyperplane init)\n.hyperplane/\n");
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toBe('# mine\n');
    const files = (): string[] => readdirSync(dir).filter((f) => f !== 'data').map((f) => `${f}\n${readFileSync(join(dir, f), 'utf8')}`);
    const before = files();
    const again = await init([], dir);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('.gitignore ignores .hyperplane/ already');
    expect(again.stdout).toContain('kept  hyperplane.config.ts (it exists)');
    expect(again.stdout).not.toContain('wrote');
    expect(files()).toEqual(before);
  });

  it('bad input: one line, exit 2, nothing written', async () => {
    const dir = withData();
    writeFileSync(join(dir, 'notes.txt'), 'x');
    await expectRefused(['init', join(dir, 'notes.txt')], /notes\.txt: is a file, not a folder/);
    await expectRefused(['init', dir, '--target', 'diagnosys'], /breast_cancer\.csv: --target 'diagnosys': no such column; columns are: mean radius/);
    copyFileSync(fixture('wine.csv'), join(dir, 'data', 'wine.csv'));
    await expectRefused(['init', dir], /data: holds 2 data files \(breast_cancer\.csv, wine\.csv\): name the training data with --data /);
    await expectRefused(['init', dir, '--data', join(dir, 'none.csv')], /none\.csv: no such file/);
    expect(readdirSync(dir).sort()).toEqual(['data', 'notes.txt']);
  });
});
