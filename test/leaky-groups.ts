import { writeFileSync } from 'node:fs';
import { Random } from '../src/synth/random.js';

/**
 * Leakage by design: 80 customers of 8 rows each; whether a row churned is its customer's (with 10% of
 * rows flipped), and `signature` is a value of the customer's own that says nothing about churn. Random
 * folds let a model learn each customer's signature from its other rows; whole customers held out, it
 * has nothing to go on. Every 40th row has no customer; `day` runs through 2024.
 */
export function leakyCsv(path: string): void {
  const rng = new Random(11);
  const lines = ['customer,signature,noise,day,churned'];
  let row = 0;
  for (let c = 0; c < 80; c++) {
    const churns = rng.uniform() < 0.5;
    const signature = rng.uniform();
    for (let k = 0; k < 8; k++, row++) {
      const churned = rng.uniform() < 0.1 ? !churns : churns;
      const day = new Date(Date.UTC(2024, 0, 1) + ((row * 7) % 366) * 86_400_000).toISOString().slice(0, 10);
      lines.push(`${row % 40 === 39 ? '' : `c${c}`},${signature.toFixed(6)},${rng.uniform().toFixed(6)},${day},${churned ? 'yes' : 'no'}`);
    }
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}
