import { describe, expect, it } from 'vitest';
import { getLearner } from '../../src/learn/registry.js';
import { declaredSpace, parseSpace, valueAt, type Range } from '../../src/search/index.js';

const gbdt = getLearner('gbdt');

describe('search spaces', () => {
  it("are declared once, on the learners' param schemas, beside each param's type and doc", () => {
    const space = declaredSpace(gbdt);
    expect(space.find((d) => d.name === 'num_leaves')).toEqual({ name: 'num_leaves', kind: 'int', low: 7, high: 255, scale: 'log' });
    expect(space.find((d) => d.name === 'learning_rate')).toEqual({ name: 'learning_rate', kind: 'float', low: 0.01, high: 0.3, scale: 'log' });
    // The doc is still there for --help.
    expect((gbdt.params as unknown as { shape: Record<string, { description?: string }> }).shape['num_leaves']!.description).toBe('most leaves per tree (trees grow leaf-wise)');
    expect(declaredSpace(getLearner('logistic'))).toEqual([{ name: 'C', kind: 'float', low: 0.001, high: 100, scale: 'log' }]);
    expect(declaredSpace(getLearner('baseline'))).toEqual([]);
  });

  it('are read from --space: ranges (log or linear, whole numbers where the param takes them) and values', () => {
    expect(parseSpace('num_leaves=7..127:log, learning_rate=0.01..0.3:log,colsample=0.5..1,objective=l2|huber', gbdt)).toEqual([
      { name: 'num_leaves', kind: 'int', low: 7, high: 127, scale: 'log' },
      { name: 'learning_rate', kind: 'float', low: 0.01, high: 0.3, scale: 'log' },
      { name: 'colsample', kind: 'float', low: 0.5, high: 1, scale: 'linear' },
      { name: 'objective', kind: 'choice', values: ['l2', 'huber'] },
    ]);
  });

  it('refuse a malformed part, naming it and the expected form; an unknown param, listing the params; a bound the schema refuses', () => {
    const refused = (text: string): string => {
      try {
        parseSpace(text, gbdt);
      } catch (e) {
        return (e as Error).message;
      }
      throw new Error(`'${text}' was taken`);
    };
    expect(refused('num_leaves=7-127')).toBe("--space: 'num_leaves=7-127' is not NAME=LOW..HIGH[:log] or NAME=A|B|C (e.g. num_leaves=7..127:log)");
    expect(refused('num_leaves')).toContain("'num_leaves' is not NAME=LOW..HIGH[:log]");
    expect(refused('leaves=7..127')).toMatch(/^--space: gbdt has no param 'leaves'; its params are: objective, n_estimators, learning_rate, num_leaves, /);
    expect(refused('num_leaves=1..127')).toMatch(/^--space: 'num_leaves=1\.\.127': 1 is not a valid num_leaves/);
    expect(refused('num_leaves=7.5..127')).toBe("--space: 'num_leaves=7.5..127': num_leaves takes whole numbers");
    expect(refused('learning_rate=0.3..0.01')).toBe("--space: 'learning_rate=0.3..0.01': LOW must be below HIGH (e.g. num_leaves=7..127:log)");
    expect(refused('lambda_l2=0..10:log')).toBe("--space: 'lambda_l2=0..10:log': a log scale needs LOW above 0");
    expect(refused('objective=l2|cubic')).toMatch(/^--space: 'objective=l2\|cubic': 'cubic' is not a valid objective/);
    expect(refused('num_leaves=7..15,num_leaves=31..63')).toBe("--space: 'num_leaves' is given twice");
    expect(refused(' , ')).toMatch(/names no param/);
  });

  it('spread a range evenly, or evenly in log space, rounding whole numbers', () => {
    const leaves: Range = { name: 'num_leaves', kind: 'int', low: 7, high: 127, scale: 'log' };
    expect([0, 0.5, 1].map((u) => valueAt(leaves, u))).toEqual([7, Math.round(Math.sqrt(7 * 127)), 127]);
    const share: Range = { name: 'colsample', kind: 'float', low: 0.5, high: 1, scale: 'linear' };
    expect([0, 0.5, 1].map((u) => valueAt(share, u))).toEqual([0.5, 0.75, 1]);
  });
});
