import { describe, expect, it } from 'vitest';
import type { ColumnSchema } from '../../src/data/schema/schema.js';
import { loadData } from '../../src/data/load.js';
import { conditionsRecipe, FittedRecipe } from '../../src/features/recipe.js';
import { getLearner, predict } from '../../src/learn/registry.js';
import { rulesModel } from '../../src/learn/rules/rules.js';
import type { RulesSpec } from '../../src/learn/rules/rules-params.js';
import { rulesOnly } from '../../src/explain/rules.js';
import { decodePackage, encodePackage } from '../../src/pipeline/package.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { trainPipeline } from '../../src/pipeline/train.js';
import { fixture } from '../helpers.js';

const schema: ColumnSchema[] = [
  { name: 'downloads', type: 'numeric', reason: '' },
  { name: 'plan', type: 'categorical', reason: '' },
  { name: 'churned', type: 'binary', reason: '' },
];

/** The rules learner's recipe and model for written rules, as the pipeline makes them. */
function rulesPipeline(rules: RulesSpec, task: 'binary' | 'multiclass' | 'regression', classes: string[]): (row: Record<string, unknown>) => Float64Array {
  const conditions = getLearner('rules').conditions!(rules).map((c) => ({ if: c.if, field: `rules.${c.field}` }));
  const recipe = new FittedRecipe(conditionsRecipe(schema, conditions, { target: 'churned' }));
  const model = rulesModel(rules, task, classes);
  return (row) => predict(model, { data: recipe.transformRow(row), n: 1, d: recipe.width });
}

describe('the rules learner', () => {
  it('the first condition that holds decides, read on the raw row (numbers as text, labels, missing values); otherwise the default', () => {
    const score = rulesPipeline({ conditions: [{ if: 'downloads > 1000', then: 0.9 }, { if: "plan == 'free'", then: 0.2 }], otherwise: 0.5 }, 'binary', ['no', 'yes']);
    const p = (row: Record<string, unknown>): number => {
      const s = score(row);
      expect(s[0]! + s[1]!).toBeCloseTo(1, 12);
      return s[1]!;
    };
    expect(p({ downloads: 5000, plan: 'free' })).toBe(0.9);
    expect(p({ downloads: '20', plan: 'free' })).toBe(0.2);
    // Labels compare as written, case aside, and a label training never saw still compares (nothing is encoded away).
    expect(p({ downloads: 3, plan: 'FREE' })).toBe(0.2);
    expect(p({ plan: 'enterprise' })).toBe(0.5);
    expect(p({})).toBe(0.5);
  });

  it('multiclass outcomes are one-hot of the named class; regression outcomes are the values', () => {
    const classes = rulesPipeline({ conditions: [{ if: 'downloads >= 100', then: 'gold' }], otherwise: 'bronze' }, 'multiclass', ['bronze', 'silver', 'gold']);
    expect(Array.from(classes({ downloads: 100 }))).toEqual([0, 0, 1]);
    expect(Array.from(classes({ downloads: 99 }))).toEqual([1, 0, 0]);
    const values = rulesPipeline({ conditions: [{ if: "plan in ['pro', 'team']", then: 42.5 }], otherwise: -1 }, 'regression', []);
    expect(Array.from(values({ plan: 'team' }))).toEqual([42.5]);
    expect(Array.from(values({ plan: null }))).toEqual([-1]);
  });

  it('unknown columns, the target, and outcomes that do not fit the task are errors naming the rule', () => {
    expect(() => rulesPipeline({ conditions: [{ if: 'Downlods > 1', then: 1 }], otherwise: 0 }, 'binary', ['n', 'y'])).toThrow(/field 'rules\.conditions\.0\.if': unknown column 'Downlods'; columns are: downloads, plan, churned/);
    expect(() => rulesPipeline({ conditions: [{ if: 'downloads > 1', then: 1 }, { if: 'churned == "yes"', then: 1 }], otherwise: 0 }, 'binary', ['n', 'y'])).toThrow(/field 'rules\.conditions\.1\.if': the condition reads the target 'churned' itself/);
    expect(() => rulesPipeline({ conditions: [{ if: 'downloads > 1', then: 1.5 }], otherwise: 0 }, 'binary', ['n', 'y'])).toThrow(/field 'rules\.conditions\.0\.then': expected the probability of 'y', between 0 and 1, got 1\.5/);
    expect(() => rulesPipeline({ conditions: [{ if: 'downloads > 1', then: 'gold' }], otherwise: 'bronze' }, 'multiclass', ['bronze', 'silver'])).toThrow(/field 'rules\.conditions\.0\.then': expected one of the classes bronze, silver, got "gold"/);
    expect(() => rulesPipeline({ conditions: [{ if: 'downloads > 1', then: 2 }], otherwise: 'x' }, 'regression', [])).toThrow(/field 'rules\.otherwise': expected a number for a regression target, got 'x'/);
  });
});

describe('rules trained, packaged and loaded as any learner', () => {
  const rules: RulesSpec = { conditions: [{ if: '`Flipper Length (mm)` > 205', then: 'Gentoo' }, { if: '`Beak Length (mm)` > 44', then: 'Chinstrap' }], otherwise: 'Adelie' };

  it('learner rules: a recipe of its conditions and a rules model; an older package of bare rules loads to the same predictions', async () => {
    const data = await loadData(fixture('penguins.json'));
    const result = await trainPipeline(data, { target: 'Species', learner: 'rules', params: rules, evaluation: { kind: 'holdout', share: 0.2 }, seed: 1, timeBudgetSeconds: 30 });
    const [member] = result.pipeline.spec.members;
    expect(member!.model.kind).toBe('rules');
    expect(member!.recipe.steps.map((s) => s.kind)).toEqual(['condition', 'condition']);
    // It reads only the columns its conditions name: the server asks for nothing else.
    expect(result.pipeline.inputColumns.sort()).toEqual(['Beak Length (mm)', 'Flipper Length (mm)']);
    const rows = (JSON.parse((await import('node:fs')).readFileSync(fixture('penguins.json'), 'utf8')) as Record<string, unknown>[]).slice(0, 60);
    const expected = rows.map((r) => {
      const flipper = r['Flipper Length (mm)'] as number | null;
      const beak = r['Beak Length (mm)'] as number | null;
      return flipper !== null && flipper > 205 ? 'Gentoo' : beak !== null && beak > 44 ? 'Chinstrap' : 'Adelie';
    });
    expect(result.pipeline.predict(rows).map((p) => p.prediction)).toEqual(expected);
    expect(rulesOnly(result.pipeline)!.explainRows(rows.slice(0, 3)).map((e) => e.then)).toEqual(expected.slice(0, 3));

    // The same pipeline as a package of an earlier format wrote it: the member is the rules alone.
    const bytes = encodePackage(result.package);
    const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + length))) as { members: unknown[] };
    header.members = [{ rules, weight: 1 }];
    const json = new TextEncoder().encode(JSON.stringify(header));
    const old = new Uint8Array(12 + json.length);
    old.set(bytes.subarray(0, 8));
    new DataView(old.buffer).setUint32(8, json.length, true);
    old.set(json, 12);
    const upgraded = decodePackage(old, 'old.hpkg');
    expect(upgraded.pipeline.members[0]!.model.kind).toBe('rules');
    expect(new Pipeline(upgraded.pipeline).predict(rows)).toEqual(result.pipeline.predict(rows));
  });

  it('under auto, the team\'s rules are scored on the leaderboard beside the learners', async () => {
    const data = await loadData(fixture('penguins.json'));
    const result = await trainPipeline(data, { target: 'Species', learner: 'auto', teamCandidates: [{ learner: 'rules', params: rules }], evaluation: { kind: 'holdout', share: 0.2 }, seed: 1, timeBudgetSeconds: 20 });
    const entry = result.leaderboard.find((e) => e.learner === 'rules');
    expect(entry?.params).toEqual(rules);
    // Scored by the same cross-validation as the learners: these rules are right on most penguins.
    expect(entry!.score).toBeGreaterThan(0.7);
    expect(entry!.note).toBeUndefined();
  }, 60_000);
});
