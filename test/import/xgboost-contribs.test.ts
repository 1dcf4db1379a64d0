// Our TreeSHAP on imported XGBoost models against XGBoost's own predict(pred_contribs=True), stored by
// test/fixtures/xgboost/make.py: the same exact path-dependent algorithm over the same covers (XGBoost's
// hessian sums), so each contribution and the bias must agree to float32 rounding.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importXgboostFile } from '../../src/import/xgboost.js';
import { readForPipeline } from '../../src/pipeline/io.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { Explainer } from '../../src/explain/explainer.js';
import { ROOT } from '../helpers.js';

const DIR = join(ROOT, 'test', 'fixtures', 'xgboost');
const CSV = join(DIR, 'test.csv');
const FEATURES = ['f_a', 'f_b', 'f_c', 'f_d', 'f_e', 'f_f'];

describe("imported XGBoost models' contributions equal XGBoost's pred_contribs", () => {
  for (const [name, outputs] of [['binary', 1], ['multiclass', 3], ['regression', 1]] as const) {
    it(`${name}: every row's contribution of every feature, and the bias, within 1e-5 on 1,200 rows`, async () => {
      const { pkg } = importXgboostFile(join(DIR, `${name}.json`), name === 'regression' ? { features: FEATURES } : {});
      const pipeline = new Pipeline(pkg.pipeline);
      const { table } = await readForPipeline(CSV, pipeline);
      const explained = new Explainer(pipeline).explainTable(table);
      const reference = JSON.parse(readFileSync(join(DIR, `${name}.pred.json`), 'utf8')) as { contribs: number[][] | number[][][] };
      expect(reference.contribs).toHaveLength(table.nRows);
      expect(explained.outputs).toBe(outputs);
      const C = explained.columns.length;
      expect(explained.columns).toEqual(FEATURES);
      let worst = 0;
      for (let i = 0; i < table.nRows; i++) {
        for (let o = 0; o < outputs; o++) {
          // Binary and regression: [features…, bias]; multiclass: one such list per class.
          const theirs = (outputs === 1 ? reference.contribs[i] : (reference.contribs[i] as number[][])[o]) as number[];
          for (let c = 0; c < C; c++) worst = Math.max(worst, Math.abs(explained.values[(i * outputs + o) * C + c]! - theirs[c]!));
          worst = Math.max(worst, Math.abs(explained.base[o]! - theirs[C]!));
        }
      }
      expect(worst).toBeLessThan(1e-5);
    });
  }
});
