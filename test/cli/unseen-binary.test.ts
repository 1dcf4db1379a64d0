import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers.js';

describe('new data with a value a binary input never had in training', () => {
  it('is scored as missing with a warning by predict and evaluate (as the server does), not refused; a class the model never saw in the target still is', () => {
    const dir = tempDir();
    const rows = ['flag,x,y'];
    for (let i = 0; i < 200; i++) rows.push(`${i % 2},${(i * 7) % 13},${(i * 7) % 13 > 6 ? 'hi' : 'lo'}`);
    writeFileSync(join(dir, 'train.csv'), `${rows.join('\n')}\n`);
    // 'flag' held 0 and 1 in training (binary); the new data also has a 2 (the digits set's pixel_2_0 did this).
    writeFileSync(join(dir, 'new.csv'), 'flag,x,y\n0,3,lo\n1,9,hi\n2,10,hi\n');
    const train = runCli(['train', join(dir, 'train.csv'), '--target', 'y', '--learner', 'gbdt', '--n-estimators', '10', '--no-track', '--out', join(dir, 'm'), '--json']);
    expect(train.code, train.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'm', 'summary.json'), 'utf8')).target.name).toBe('y');
    const predict = runCli(['predict', join(dir, 'm', 'model.hpkg'), join(dir, 'new.csv')]);
    expect(predict.code, predict.stderr).toBe(0);
    expect(predict.stdout.trimEnd().split('\n')).toHaveLength(4);
    expect(predict.stderr).toContain("new.csv, column 'flag': values 0, 1, 2 where the model was trained on two; values it never saw are scored as missing");
    const evaluate = runCli(['evaluate', join(dir, 'm', 'model.hpkg'), join(dir, 'new.csv'), '--json']);
    expect(evaluate.code, evaluate.stderr).toBe(0);
    expect(JSON.parse(evaluate.stdout).accuracy).toBeGreaterThan(0);
    writeFileSync(join(dir, 'new-class.csv'), 'flag,x,y\n0,3,lo\n1,9,mid\n');
    const strict = runCli(['evaluate', join(dir, 'm', 'model.hpkg'), join(dir, 'new-class.csv')]);
    expect(strict.code).toBe(2);
    expect(strict.stderr).toMatch(/mid/);
  });
});
