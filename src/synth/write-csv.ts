import { closeSync, openSync, writeSync } from 'node:fs';
import type { SynthData } from './generate.js';

/** Fixed four decimals, written without toFixed (which is slow and locale-free anyway). */
export function formatFixed4(x: number): string {
  const scaled = Math.round(Math.abs(x) * 10000);
  const whole = Math.floor(scaled / 10000);
  const frac = scaled - whole * 10000;
  const pad = frac < 10 ? '000' : frac < 100 ? '00' : frac < 1000 ? '0' : '';
  return `${x < 0 && scaled !== 0 ? '-' : ''}${whole}.${pad}${frac}`;
}

/** Writes the data as CSV with a `target` column last. Integer labels are written as integers. */
export function writeSynthCsv(data: SynthData, path: string, integerTarget: boolean): void {
  const d = data.featureNames.length;
  const n = data.y.length;
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, `${[...data.featureNames, 'target'].join(',')}\n`);
    const BLOCK = 4096;
    for (let start = 0; start < n; start += BLOCK) {
      const end = Math.min(n, start + BLOCK);
      const lines: string[] = [];
      for (let i = start; i < end; i++) {
        const cells = new Array<string>(d + 1);
        for (let j = 0; j < d; j++) cells[j] = formatFixed4(data.X[i * d + j]!);
        const t = data.y[i]!;
        cells[d] = integerTarget ? String(t) : formatFixed4(t);
        lines.push(cells.join(','));
      }
      writeSync(fd, `${lines.join('\n')}\n`);
    }
  } finally {
    closeSync(fd);
  }
}
