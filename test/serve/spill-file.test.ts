import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSpillFile, spillLine } from '../../src/serve/log/spill-file.js';
import { decodePrediction, type EncodedPrediction, type Prediction, type PredictionRecord } from '../../src/store/index.js';
import { tempDir } from '../helpers.js';

const encoded = (i: number, extra: Partial<EncodedPrediction> = {}): EncodedPrediction => ({
  id: `s-${i}`,
  model: 'churn',
  version: 2,
  timestamp: 1_700_000_000_000 + i,
  // Text as a client sent it (spacing kept), with quotes, a backslash, non-ASCII and an astral character.
  requestJson: `{ "tenure": ${i}, "note": "say \\"hi\\" \\\\ \u00e9 \u{1F600}" }`,
  responseJson: '{"prediction":"yes","probabilities":{"yes":0.75,"no":0.25}}',
  latencyMs: 0.25,
  ...extra,
});

async function readAll(text: string): Promise<{ records: PredictionRecord[]; bad: number[] }> {
  const path = join(tempDir('hyperplane-spill-'), 'predictions-1-1-1.ndjson');
  writeFileSync(path, text);
  const records: PredictionRecord[] = [];
  const bad: number[] = [];
  for await (const p of readSpillFile(path, (line) => bad.push(line))) records.push(p);
  return { records, bad };
}

describe('spill file lines', () => {
  it('read back exactly: the request and response text of an encoded record as written, sliced rather than parsed', async () => {
    // An arm that looks like the line's own keys must not confuse the slicing.
    const tricky = encoded(2, { arm: '"requestLength":1,"responseLength":1,"request":', requestId: 'r,"response":x}' });
    const { records, bad } = await readAll(`${spillLine(encoded(1))}\n${spillLine(tricky)}\n`);
    expect(bad).toEqual([]);
    expect(records).toEqual([encoded(1), tricky]);
    // Still a plain Prediction to any JSON reader.
    expect(JSON.parse(spillLine(tricky))).toMatchObject({ id: 's-2', request: { tenure: 2 }, response: { prediction: 'yes' }, arm: tricky.arm, requestId: tricky.requestId });
  });

  it('read lines of earlier versions (no lengths) and value records by parsing them, and skip a torn last line', async () => {
    const older = (p: EncodedPrediction): string => {
      const { requestJson, responseJson, ...rest } = p;
      return `${JSON.stringify(rest).slice(0, -1)},"request":${requestJson},"response":${responseJson}}`;
    };
    const values: Prediction = { id: 'v-1', model: 'churn', version: 1, timestamp: 5, request: { a: [1, 'x'] }, response: { prediction: 2.5 }, latencyMs: 1 };
    const full = spillLine(encoded(4));
    const { records, bad } = await readAll(`${older(encoded(3))}\n${JSON.stringify(values)}\n${full}\n${full.slice(0, -9)}`);
    expect(bad).toEqual([4]);
    expect(records.map(decodePrediction)).toEqual([encoded(3), values, encoded(4)].map(decodePrediction));
  });

  it('a line whose lengths do not line up with its texts is parsed in full, not sliced wrong', async () => {
    const line = spillLine(encoded(5)).replace(/"requestLength":(\d+)/, (_, n: string) => `"requestLength":${Number(n) - 3}`);
    const { records, bad } = await readAll(`${line}\n`);
    expect(bad).toEqual([]);
    expect(records.map(decodePrediction)).toEqual([decodePrediction(encoded(5))]);
  });
});
