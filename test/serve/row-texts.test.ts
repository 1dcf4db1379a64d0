import { describe, expect, it } from 'vitest';
import { rowTexts } from '../../src/serve/log/row-texts.js';

/** Every cut must parse back to the row JSON.parse gave for the same body. */
function cutsAgree(body: string): string[] | undefined {
  const rows = (JSON.parse(body) as { rows: unknown[] }).rows;
  const texts = rowTexts(body, rows.length);
  if (texts !== undefined) expect(texts.map((t) => JSON.parse(t) as unknown)).toEqual(rows);
  return texts;
}

describe('cutting a batch body into its rows’ text', () => {
  it('gives each row as it came, whitespace and number spelling kept', () => {
    const body = '{ "rows" : [ {"a": 1.50, "b": "x"} ,\n {"a": -2e3, "b": null} ] }';
    expect(cutsAgree(body)).toEqual(['{"a": 1.50, "b": "x"}', '{"a": -2e3, "b": null}']);
  });

  it('is not fooled by brackets, quotes and escapes inside strings, nested values, or other keys', () => {
    const body = JSON.stringify({
      model: 'rows',
      other: [{ rows: [1] }, [2, 3]],
      rows: [{ s: 'a } ] { [ " \\ \u00e9 \ud83d\ude00', nested: { list: [1, { x: '}' }] } }, { t: '\\"' }, {}],
      after: { rows: [] },
    });
    const texts = cutsAgree(body);
    expect(texts).toHaveLength(3);
  });

  it('declines (so the rows are encoded instead) when the key is escaped, given twice, or the count is off', () => {
    expect(rowTexts('{"ro\\u0077s":[{"a":1}]}', 1)).toBeUndefined();
    expect(rowTexts('{"rows":[{"a":1}],"rows":[{"a":2}]}', 1)).toBeUndefined();
    expect(rowTexts('{"rows":[{"a":1},{"a":2}]}', 3)).toBeUndefined();
    expect(rowTexts('{"rows":[{"a":1}, 5]}', 2)).toBeUndefined();
  });
});
