import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadData } from '../../src/data/load.js';
import { cellText } from '../../src/data/table.js';
import { fitTrainingRecipe, FittedRecipe } from '../../src/features/recipe.js';
import { decodePackage, encodePackage } from '../../src/pipeline/package.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { trainPipeline } from '../../src/pipeline/train.js';
import { tempDir } from '../helpers.js';

/** Reviews whose sentiment words decide the label (10% noise), with a weak numeric column beside. */
function reviewsCsv(rows: number, seed: number): string {
  let s = seed;
  const r = (): number => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = (a: readonly string[]): string => a[Math.floor(r() * a.length)]!;
  const pos = ['great', 'excellent', 'love', 'wonderful', 'perfect'];
  const neg = ['terrible', 'awful', 'hate', 'broken', 'poor'];
  const filler = ['the', 'product', 'it', 'was', 'and', 'this', 'item', 'i', 'really', 'very', 'box', 'price'];
  const lines = ['review,stars,label'];
  for (let i = 0; i < rows; i++) {
    const y = r() < 0.5 ? 1 : 0;
    const words = Array.from({ length: 5 + Math.floor(r() * 6) }, () => pick(filler));
    words.splice(Math.floor(r() * words.length), 0, pick(y === 1 ? pos : neg));
    const label = r() < 0.1 ? 1 - y : y;
    lines.push(`"${words.join(' ')}",${Math.floor(r() * 5)},${label === 1 ? 'yes' : 'no'}`);
  }
  return lines.join('\n') + '\n';
}

async function reviews(rows: number, seed: number): Promise<Awaited<ReturnType<typeof loadData>>> {
  const file = join(tempDir(), 'reviews.csv');
  writeFileSync(file, reviewsCsv(rows, seed));
  return loadData(file);
}

describe('text scores: trees read a text column as a linear model’s out-of-fold score', () => {
  it('the training matrix holds out-of-fold scores, not the in-sample scores the stored model gives', async () => {
    const data = await reviews(600, 11);
    const label = data.table.columns.find((c) => c.name === 'label')!;
    const y = Float64Array.from({ length: data.table.nRows }, (_, i) => (cellText(label, i) === 'yes' ? 1 : 0));
    const { recipe, X } = fitTrainingRecipe(data.table, data.schema, { family: 'tree', exclude: ['label'], target: { y, task: 'binary', labels: ['no', 'yes'], seed: 1 } });
    expect(recipe.steps.map((s) => s.kind)).toEqual(['text-score', 'number']);
    expect(recipe.features).toEqual(['score(review)', 'stars']);
    const inSample = new FittedRecipe(recipe).transformTable(data.table);
    let differ = 0;
    const mean = (m: typeof X, cls: number): number => {
      let sum = 0;
      let count = 0;
      for (let i = 0; i < m.n; i++) if (y[i] === cls) (sum += m.data[i * m.d]!), count++;
      return sum / count;
    };
    for (let i = 0; i < X.n; i++) if (Math.abs(X.data[i * X.d]! - inSample.data[i * X.d]!) > 1e-9) differ++;
    expect(differ).toBe(X.n);
    // The score separates the classes either way, a little less out of fold (each row's own label unseen).
    expect(mean(X, 1) - mean(X, 0)).toBeGreaterThan(0.5);
    expect(mean(inSample, 1) - mean(inSample, 0)).toBeGreaterThan(mean(X, 1) - mean(X, 0));
    // The other features are the plain transform's.
    for (let i = 0; i < X.n; i++) expect(X.data[i * X.d + 1]).toBe(inSample.data[i * X.d + 1]);
  });

  it('a gbdt package with a text score round-trips and predicts new rows as before, with no warning about the text', async () => {
    const data = await reviews(800, 5);
    const fresh = await reviews(200, 99);
    const result = await trainPipeline(data, { target: 'label', learner: 'gbdt', params: { n_estimators: 40 }, evaluation: { kind: 'holdout', share: 0.2 }, seed: 2, timeBudgetSeconds: 30 });
    expect(result.test.metrics['auc']).toBeGreaterThan(0.85);
    expect(result.warnings.join('\n')).not.toMatch(/left out/);
    const decoded = decodePackage(encodePackage(result.package), 'reviews.hpkg');
    const member = decoded.pipeline.members[0]!;
    expect('recipe' in member && member.recipe.steps.some((s) => s.kind === 'text-score')).toBe(true);
    const before = result.pipeline.scoreTable(fresh.table);
    const after = new Pipeline(decoded.pipeline).scoreTable(fresh.table);
    expect(Array.from(after)).toEqual(Array.from(before));
    // An edited package whose score weights disagree with its buckets is refused on load, naming the field.
    const edited = structuredClone(result.package);
    const step = (edited.pipeline.members[0] as { recipe: { steps: { kind: string; weights?: number[][] }[] } }).recipe.steps.find((s) => s.kind === 'text-score')!;
    step.weights![0]!.pop();
    expect(() => decodePackage(encodePackage(edited), 'edited.hpkg')).toThrow(/weights\.0 has 1023 values, expected 1024/);
  }, 60_000);

  it('rows with the same text share a fold: a repeated row (as --upsample makes) never sees its own target out of fold', async () => {
    const file = join(tempDir(), 'twice.csv');
    const [header, ...rows] = reviewsCsv(300, 8).trimEnd().split('\n');
    writeFileSync(file, [header, ...rows, ...rows].join('\n') + '\n');
    const data = await loadData(file);
    const label = data.table.columns.find((c) => c.name === 'label')!;
    const y = Float64Array.from({ length: data.table.nRows }, (_, i) => (cellText(label, i) === 'yes' ? 1 : 0));
    const { X } = fitTrainingRecipe(data.table, data.schema, { family: 'tree', exclude: ['label'], target: { y, task: 'binary', seed: 4 } });
    for (let i = 0; i < 300; i++) expect(X.data[(i + 300) * X.d]).toBe(X.data[i * X.d]);
  });

  it('multiclass: one score per class', async () => {
    const data = await reviews(300, 3);
    const y = Float64Array.from({ length: data.table.nRows }, (_, i) => i % 3);
    const { recipe, X } = fitTrainingRecipe(data.table, data.schema, { family: 'tree', exclude: ['label'], target: { y, task: 'multiclass', labels: ['a', 'b', 'c'], seed: 1 } });
    expect(recipe.features.slice(0, 3)).toEqual(['score(review)=a', 'score(review)=b', 'score(review)=c']);
    expect(X.d).toBe(4);
    expect(Array.from(X.data).every((v) => Number.isFinite(v))).toBe(true);
  });

  it('without a target, trees still leave text out (nothing to score against)', async () => {
    const data = await reviews(100, 4);
    const { recipe } = fitTrainingRecipe(data.table, data.schema, { family: 'tree', exclude: ['label'] });
    expect(recipe.steps.map((s) => s.kind)).toEqual(['number']);
  });
});
