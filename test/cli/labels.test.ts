import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPackage, readForPipeline, savePackage } from '../../src/pipeline/io.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { runCli, tempDir } from '../helpers.js';

/** Label fidelity: the target's spellings in the data are the ones every output uses. */
const SPELLINGS: [string, string][] = [
  ['No', 'Yes'],
  ['N', 'Y'],
  ['no', 'yes'],
  ['FALSE', 'TRUE'],
  ['f', 't'],
  ['0', '1'],
];

/** x decides the target (with some noise); `member` is a Yes/No feature that must stay binary. */
function data(no: string, yes: string): string {
  const rows = ['x,member,churn'];
  for (let i = 0; i < 120; i++) rows.push(`${i * 1.5},${i % 3 === 0 ? 'Yes' : 'No'},${(i + (i % 7 === 0 ? 40 : 0)) % 120 >= 60 ? yes : no}`);
  return `${rows.join('\n')}\n`;
}

describe('a Yes/No target keeps its spelling in profile, train, predict and the library', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
  });

  for (const [no, yes] of SPELLINGS) {
    it(`${no}/${yes}`, async () => {
      const path = join(dir, `churn-${no}.csv`);
      writeFileSync(path, data(no, yes));
      const profile = runCli(['profile', path, '--target', 'churn', '--json']);
      expect(profile.code, profile.stderr).toBe(0);
      const p = JSON.parse(profile.stdout) as { columns: { name: string; type: string; top?: { value: string }[] }[] };
      const member = p.columns.find((c) => c.name === 'member')!;
      expect(member.type).toBe('binary');
      expect(member.top!.map((t) => t.value).sort()).toEqual(['No', 'Yes']);
      expect(p.columns.find((c) => c.name === 'churn')!.top!.map((t) => t.value).sort()).toEqual([no, yes].sort());

      const out = join(dir, `model-${no}`);
      const train = runCli(['train', path, '--target', 'churn', '--learner', 'logistic', '--out', out]);
      expect(train.code, train.stderr).toBe(0);
      const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { target: { labels: string[] } };
      expect(summary.target.labels).toEqual([no, yes]);
      expect(train.stdout).not.toMatch(no === 'FALSE' ? /\bfalse\b|\btrue\b/ : /\bFALSE\b|\bTRUE\b|\bfalse\b|\btrue\b/);

      const predict = runCli(['predict', join(out, 'model.hpkg'), path]);
      expect(predict.code, predict.stderr).toBe(0);
      const lines = predict.stdout.trimEnd().split('\n');
      expect(lines[0]).toBe(`prediction,proba_${no},proba_${yes}`);
      const predicted = new Set(lines.slice(1).map((l) => l.split(',')[0]));
      expect([...predicted].sort()).toEqual([no, yes].sort());

      // The library: the package's labels and the Pipeline's answers, as the server gives them.
      const pkg = loadPackage(join(out, 'model.hpkg'));
      expect(pkg.pipeline.target.labels).toEqual([no, yes]);
      const pipeline = new Pipeline(pkg.pipeline);
      const { table } = await readForPipeline(path, pipeline, {});
      expect(new Set(pipeline.label(pipeline.scoreTable(table)))).toEqual(new Set([no, yes]));
    }, 60_000);
  }
});

describe('a package trained before spellings were kept (Yes/No recorded as true/false)', () => {
  it('scores Yes/No data as it scored true/false, and evaluate maps the classes', async () => {
    const dir = tempDir();
    const path = join(dir, 'member.csv');
    const rows = ['x,member,churn'];
    for (let i = 0; i < 120; i++) rows.push(`${(i * 37) % 101},${i % 3 === 0 ? 'Yes' : 'No'},${i % 3 === 0 || i % 7 === 0 ? 'Yes' : 'No'}`);
    writeFileSync(path, `${rows.join('\n')}\n`);
    const out = join(dir, 'model');
    expect(runCli(['train', path, '--target', 'churn', '--learner', 'logistic', '--out', out]).code).toBe(0);
    const pkg = loadPackage(join(out, 'model.hpkg'));
    // The same package as the old reader would have made it: DuckDB's true/false in place of Yes/No.
    const old = structuredClone(pkg.pipeline);
    const spelled = (s: string): string => (s === 'Yes' ? 'true' : s === 'No' ? 'false' : s);
    old.target.labels = old.target.labels!.map(spelled);
    let binarySteps = 0;
    for (const m of old.members) {
      for (const step of m.recipe.steps) {
        if (step.kind !== 'binary') continue;
        step.positive = spelled(step.positive);
        step.negative = spelled(step.negative);
        binarySteps++;
      }
    }
    expect(binarySteps).toBeGreaterThan(0);
    const now = new Pipeline(pkg.pipeline);
    const before = new Pipeline(old);
    const { table } = await readForPipeline(path, before, {});
    expect(Array.from(before.scoreTable(table))).toEqual(Array.from(now.scoreTable(table)));
    expect(before.label(before.scoreTable(table)).filter((l) => l === 'true').length).toBeGreaterThan(0);
    savePackage(join(dir, 'old.hpkg'), { ...pkg, pipeline: old });
    const evaluated = runCli(['evaluate', join(dir, 'old.hpkg'), path, '--json']);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const fresh = runCli(['evaluate', join(out, 'model.hpkg'), path, '--json']);
    expect(JSON.parse(evaluated.stdout).accuracy).toBe(JSON.parse(fresh.stdout).accuracy);
  }, 60_000);
});
