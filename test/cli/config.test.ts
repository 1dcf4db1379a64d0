import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { cli, fixture, ROOT, tempDir } from '../helpers.js';

describe('train --config in every format', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
    // A TypeScript config importing defineConfig from the package, as a user's project would.
    writeFileSync(
      join(dir, 'hyperplane.config.ts'),
      `import { defineConfig } from 'hyperplane';\nconst rounds: number = 25;\nexport default defineConfig({ data: ${JSON.stringify(fixture('penguins.json'))}, target: 'Species', learner: 'gbdt', params: { n_estimators: rounds, num_leaves: 7 }, evaluation: { split: 0.3 }, seed: 3, out: 'ts-run' });\n`,
    );
    writeFileSync(join(dir, 'config.mjs'), `export default { data: ${JSON.stringify(fixture('wine.csv'))}, target: 'cultivar', learner: 'logistic', evaluation: { cv: 3 }, out: 'js-run' };\n`);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ data: fixture('breast_cancer.csv'), target: 'diagnosis', learner: 'logistic', params: { C: 0.5 }, out: 'json-run' }));
    writeFileSync(join(dir, 'config.yaml'), `data: ${fixture('seattle-weather.csv')}\ntarget: weather\nlearner: gbdt\nparams:\n  n_estimators: 10\nevaluation:\n  timeSplit: { column: date, date: 2015-01-01 }\nout: yaml-run\n`);
  });

  // The TypeScript and the JavaScript, JSON and YAML configs train into their own out folders: side by side. (The
  // overrides below write json-run again, so they come after.)
  it.concurrent('a TypeScript config typed with defineConfig, paths relative to the file', async () => {
    // A project with hyperplane installed: its node_modules links to this package.
    mkdirSync(join(dir, 'node_modules'), { recursive: true });
    symlinkSync(ROOT, join(dir, 'node_modules', 'hyperplane'), 'dir');
    const r = await cli(['train', '--config', join(dir, 'hyperplane.config.ts'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.learner).toBe('gbdt');
    expect(summary.params).toEqual({ n_estimators: 25, num_leaves: 7 });
    expect(summary.evaluation).toMatch(/holdout: 30% of rows .* seed 3/);
    expect(summary.model).toBe(join(dir, 'ts-run', 'model.hpkg'));
  });

  it.concurrent('JavaScript, JSON and YAML configs', async () => {
    // Three configs with their own out folders: trained side by side.
    const [js, json, yaml] = await Promise.all([cli(['train', '--config', join(dir, 'config.mjs'), '--json']), cli(['train', '--config', join(dir, 'config.json'), '--json']), cli(['train', '--config', join(dir, 'config.yaml'), '--json'])]);
    expect(js.code, js.stderr).toBe(0);
    expect(JSON.parse(js.stdout).evaluation).toMatch(/^3-fold cross-validation/);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout).params).toEqual({ C: 0.5 });
    expect(JSON.parse(json.stdout).model).toBe(join(dir, 'json-run', 'model.hpkg'));
    expect(yaml.code, yaml.stderr).toBe(0);
    expect(JSON.parse(yaml.stdout).evaluation).toMatch(/^time split: train before 2015-01-01/);
  });

  it('flags on the command line override the config (a different learner drops the config\'s params)', async () => {
    const r = await cli(['train', '--config', join(dir, 'config.json'), '--learner', 'gbdt', '--n-estimators', '5', '--split', '0.5', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.learner).toBe('gbdt');
    expect(summary.params).toEqual({ n_estimators: 5 });
    expect(summary.evaluation).toMatch(/holdout: 50% of rows/);
    const same = await cli(['train', '--config', join(dir, 'config.json'), '--max-iter', '50', '--json']);
    expect(same.code, same.stderr).toBe(0);
    expect(JSON.parse(same.stdout).params).toEqual({ C: 0.5, max_iter: 50 });
  });
});

describe.concurrent('config errors name the file and the field', () => {
  let dir: string;
  const write = (name: string, text: string): string => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  beforeAll(() => {
    dir = tempDir();
  });

  it('an unknown key, listing the allowed ones', async () => {
    await expect(loadConfig(write('a.yaml', 'data: x.csv\ntarget: y\nlerner: gbdt\n'))).rejects.toThrow(/a\.yaml: unknown key 'lerner'; allowed: data, query, target, task, learner,/);
  });
  it('a wrong value type', async () => {
    await expect(loadConfig(write('b.json', '{"data": "x.csv", "target": 5}'))).rejects.toThrow(/b\.json, field 'target': expected string, received number/);
    await expect(loadConfig(write('c.yaml', 'data: x.csv\ntarget: y\nevaluation:\n  split: lots\n'))).rejects.toThrow(/c\.yaml, field 'evaluation\.split': expected number, received string/);
  });
  it('two evaluations at once', async () => {
    await expect(loadConfig(write('d.yaml', 'data: x.csv\ntarget: y\nevaluation:\n  cv: 3\n  split: 0.2\n'))).rejects.toThrow(/field 'evaluation': choose one of test, split, cv and timeSplit/);
  });
  it('YAML that does not parse, with its line', async () => {
    await expect(loadConfig(write('e.yaml', 'data: [x\n'))).rejects.toThrow(/e\.yaml, line 2: not valid YAML/);
  });
  it('a missing file, and an unknown extension', async () => {
    await expect(loadConfig(join(dir, 'none.yaml'))).rejects.toThrow(/none\.yaml: no such config file/);
    await expect(loadConfig(write('f.toml', 'x = 1'))).rejects.toThrow(/f\.toml: cannot tell the config format from the extension '\.toml'/);
  });
  it('through the CLI: one line, exit code 2', async () => {
    const r = await cli(['train', '--config', write('g.json', '{"data": "x.csv"}')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^hyperplane: error: .*g\.json, field 'target': expected string, received undefined\n$/);
  });
});

// Each test trains from its own config into its own out folder: side by side.
describe.concurrent('a rules model from the config', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
    const rules = `rules:\n  conditions:\n    - if: "\`worst radius\` > 16.8 or \`worst concave points\` > 0.14"\n      then: 0.95\n    - if: "\`mean texture\` > 21"\n      then: 0.4\n  otherwise: 0.05\n`;
    writeFileSync(join(dir, 'rules.yaml'), `data: ${fixture('breast_cancer.csv')}\ntarget: diagnosis\nlearner: rules\nout: rules-run\n${rules}`);
    writeFileSync(join(dir, 'auto.yaml'), `data: ${fixture('breast_cancer.csv')}\ntarget: diagnosis\ntimeBudget: 20\nout: auto-run\n${rules}`);
    writeFileSync(join(dir, 'leak.yaml'), `data: ${fixture('breast_cancer.csv')}\ntarget: diagnosis\nlearner: rules\nrules:\n  conditions:\n    - if: "diagnosis == 'malignant'"\n      then: 1\n  otherwise: 0\n`);
  });

  it('is trained, packaged, evaluated and predicts like any model', async () => {
    const r = await cli(['train', '--config', join(dir, 'rules.yaml'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.learner).toBe('rules');
    expect(summary.test.auc).toBeGreaterThan(0.9);
    const predict = await cli(['predict', join(dir, 'rules-run', 'model.hpkg'), fixture('breast_cancer.csv')]);
    expect(predict.code, predict.stderr).toBe(0);
    const probabilities = new Set(predict.stdout.trim().split('\n').slice(1).map((l) => l.split(',')[2]));
    expect([...probabilities].sort()).toEqual(['0.05', '0.4', '0.95']);
  });

  it('sits on auto\'s leaderboard, which the chosen model beats', async () => {
    const r = await cli(['train', '--config', join(dir, 'auto.yaml'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    const rules = summary.leaderboard.find((e: { learner: string }) => e.learner === 'rules');
    expect(rules.score).toBeGreaterThan(0.9);
    expect(summary.leaderboard[0].score).toBeGreaterThan(rules.score);
  });

  it('rules that read the target are refused', async () => {
    const r = await cli(['train', '--config', join(dir, 'leak.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/field 'rules\.conditions\.0\.if': the condition reads the target 'diagnosis' itself: it could not run on new data/);
  });
});

// Each test trains from its own config into its own out folder: side by side.
describe.concurrent('an explicit recipe from the config', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
    writeFileSync(
      join(dir, 'recipe.yaml'),
      `data: ${fixture('penguins.json')}\ntarget: Species\nlearner: logistic\nrecipe:\n  groups:\n    beak: ["Beak Length (mm)", "Beak Depth (mm)"]\n  outputs:\n    - beak\n    - quantile_bin(\`Body Mass (g)\`, 4)\n    - cartesian(Island, Sex)\nout: recipe-run\n`,
    );
    writeFileSync(join(dir, 'bad-recipe.yaml'), `data: ${fixture('penguins.json')}\ntarget: Species\nrecipe:\n  outputs:\n    - quantile_bin(\`Body Mass\`, 4)\n`);
  });

  it('builds the named outputs for every learner, and predicts through them', async () => {
    const r = await cli(['train', '--config', join(dir, 'recipe.yaml'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).test.accuracy).toBeGreaterThan(0.8);
    const predict = await cli(['predict', join(dir, 'recipe-run', 'model.hpkg'), fixture('penguins.json')]);
    expect(predict.code, predict.stderr).toBe(0);
    expect(predict.stdout.split('\n')).toHaveLength(346);
  });

  it('a recipe naming an unknown column is one clear line', async () => {
    const r = await cli(['train', '--config', join(dir, 'bad-recipe.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^hyperplane: error: field 'recipe\.outputs\.0': "quantile_bin\(`Body Mass`, 4\)": unknown column or group 'Body Mass'; columns are: Island, Beak Length/);
  });
});
