import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers.js';
import { countCsvRecords } from './csv-count.js';

const dir = tempDir();
let k = 0;
/** Counts with the adaptive scan, and checks that each scan alone agrees. */
const count = (text: string, chunk?: number): ReturnType<typeof countCsvRecords> => {
  const path = join(dir, `f${k++}.csv`);
  writeFileSync(path, text);
  const result = countCsvRecords(path, ',', '"', chunk);
  expect(countCsvRecords(path, ',', '"', chunk, 'hop'), 'hop').toEqual(result);
  expect(countCsvRecords(path, ',', '"', chunk, 'bytewise'), 'bytewise').toEqual(result);
  return result;
};

describe('countCsvRecords', () => {
  it('counts records, blank lines apart, with or without a final newline', () => {
    expect(count('a,b\n1,2\n3,4\n')).toEqual({ records: 3, blank: 0 });
    expect(count('a,b\n1,2\n3,4')).toEqual({ records: 3, blank: 0 });
    expect(count('a,b\r\n1,2\r\n\r\n3,4\r\n')).toEqual({ records: 3, blank: 1 });
    expect(count('a,b\n\n1,2\n\n')).toEqual({ records: 2, blank: 2 });
  });
  it('old Mac line endings (\\r alone), as DuckDB reads them', () => {
    expect(count('a,b\r1,2\r3,"x\ry"\r')).toEqual({ records: 3, blank: 0 });
  });
  it('a newline inside a quoted field does not end the record; "" is an escaped quote', () => {
    expect(count('a,b\n1,"x\ny"\n2,"say ""hi""\n!"\n')).toEqual({ records: 3, blank: 0 });
    expect(count('a,b\n"",2\n')).toEqual({ records: 2, blank: 0 });
  });
  it('a quote inside a field is a character', () => {
    expect(count('a,b\n1,5\'10"\n2,6\'1"\n')).toEqual({ records: 3, blank: 0 });
  });
  it('names the line where an unclosed quote opens', () => {
    expect(count('a,b\n1,2\n3,"x\n4,5\n')).toEqual({ records: 2, blank: 0, unclosedQuoteLine: 3 });
    expect(count('a,b\n1,2\n3,"x')).toEqual({ records: 2, blank: 0, unclosedQuoteLine: 3 });
    // Lines inside an earlier quoted field count.
    expect(count('a,b\n1,"x\ny"\n2,"z\n', 3)).toEqual({ records: 2, blank: 0, unclosedQuoteLine: 4 });
  });
  it('gives the same answer whatever the chunk size', () => {
    const text = 'a,b\n1,"x\n""y""\n"\n\n2,"z"\r\n3,w\n"q""",4\n';
    const whole = count(text);
    expect(whole).toEqual({ records: 5, blank: 1 });
    for (let size = 1; size <= 12; size++) expect(count(text, size), `chunk ${size}`).toEqual(whole);
  });
});
