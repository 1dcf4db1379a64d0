import { writeFileSync, chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectRefused, fixture, runCli, tempDir } from '../helpers.js';

/** Every bad input: exit code 2, one line on stderr naming the file (and line where there is one), no stack. */
const expectCleanError = (args: string[], pattern: RegExp): Promise<void> => expectRefused(args, pattern);

describe('bad input gets one clear line and exit code 2', () => {
  let dir: string;
  const at = (name: string): string => join(dir, name);

  beforeAll(() => {
    dir = tempDir();
    writeFileSync(at('empty.csv'), '');
    writeFileSync(at('header.csv'), 'a,b,c\n');
    writeFileSync(at('ragged.csv'), 'a,b\n1,2\n3,4\n5,6,7\n8,9\n');
    writeFileSync(at('ragged-quoted.csv'), 'a,b\n"multi\nline",2\n3\n');
    writeFileSync(at('latin1.csv'), Buffer.concat([Buffer.from('name,city\nx,Paris\ny,'), Buffer.from([0x4d, 0xfc, 0x6e, 0x63, 0x68, 0x65, 0x6e]), Buffer.from('\n')]));
    writeFileSync(at('huge-field.csv'), `a,b\n1,x\n2,${'y'.repeat(10 * 1024 * 1024)}\n3,z\n`);
    const parquet = readFileSync('node_modules/vega-datasets/data/flights-3m.parquet');
    writeFileSync(at('truncated.parquet'), parquet.subarray(0, Math.floor(parquet.length / 2)));
    writeFileSync(at('secret.csv'), 'a\n1\n');
    chmodSync(at('secret.csv'), 0o000);
  });

  it('a missing file', () => expectCleanError(['profile', at('nope.csv')], /nope\.csv: no such file$/));
  it('an unreadable file', () => {
    // root can read any file; the check only means something for other users.
    if (process.getuid?.() === 0) return;
    return expectCleanError(['profile', at('secret.csv')], /secret\.csv: permission denied/);
  });
  it('a directory where a file was expected', () => expectCleanError(['profile', dir], /is a directory; give a file or a glob/));
  it('an empty file', () => expectCleanError(['profile', at('empty.csv')], /empty\.csv: the file is empty$/));
  it('a file with only a header', () => expectCleanError(['profile', at('header.csv')], /header\.csv: it has a header \(3 columns\) but no data rows$/));
  it('ragged rows', () => expectCleanError(['profile', at('ragged.csv')], /ragged\.csv, line 4: expected 2 fields as in the header, found 3/));
  it('ragged rows after a quoted multi-line field', () =>
    expectCleanError(['profile', at('ragged-quoted.csv')], /ragged-quoted\.csv, line 4: expected 2 fields as in the header, found 1/));
  it('an unknown target column', () =>
    expectCleanError(['profile', fixture('cars.json'), '--target', 'origin'], /cars\.json: --target 'origin': no such column \(did you mean 'Origin'\?\); columns are: Name, /));
  it('invalid UTF-8', () => expectCleanError(['profile', at('latin1.csv')], /latin1\.csv, line 3: invalid UTF-8/));
  it('a 10 MB single field', () =>
    expectCleanError(['profile', at('huge-field.csv')], /huge-field\.csv, line 3: a line of 10,485,762 bytes is longer than the limit of 2,000,000 bytes; .*--max-line-size/));
  it('a truncated Parquet file', () => expectCleanError(['profile', at('truncated.parquet')], /truncated\.parquet: not a valid Parquet file: it is truncated or corrupt/));
  it('an unknown extension', () => expectCleanError(['profile', fixture('LICENSE.md').replace('data/', '')], /cannot tell the format from the extension '\.md'; pass --format/));
  it('a bad flag value', () => expectCleanError(['synth', '--rows', 'many', '--out', at('x.csv')], /--rows 'many': expected a positive integer/));

  it('reads the 10 MB field when the limit is raised', () => {
    const r = runCli(['profile', at('huge-field.csv'), '--max-line-size', '20000000', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).rows).toBe(3);
  });
});
