import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodePackage } from '../../src/pipeline/package.js';
import { expectRefused, fixture, runCliAsync as runCli, tempDir } from '../helpers.js';

/**
 * A package as a test edits it: the JSON header and each member's model file (its JSON header and the
 * bytes of its typed arrays). `encode` lays it out again the way package.ts and serialize.ts do.
 */
interface ModelFile {
  header: Record<string, any>;
  data: Uint8Array;
}
interface Editable {
  header: Record<string, any>;
  models: (ModelFile | undefined)[];
}

const align8 = (n: number): number => (n + 7) & ~7;

function decode(bytes: Uint8Array): Editable {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + length)));
  const start = align8(12 + length);
  const models = (header.members as any[]).map((m) => {
    if (m.model === undefined) return undefined;
    const blob = bytes.subarray(start + m.model.offset, start + m.model.offset + m.model.length);
    const headerLength = new DataView(blob.buffer, blob.byteOffset).getUint32(8, true);
    return { header: JSON.parse(new TextDecoder().decode(blob.subarray(12, 12 + headerLength))), data: blob.slice(12 + headerLength) };
  });
  return { header, models };
}

function encodeModel(m: ModelFile): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(m.header));
  const headerLength = align8(json.length);
  const out = new Uint8Array(12 + headerLength + m.data.length).fill(0x20, 12, 12 + headerLength);
  out.set(new TextEncoder().encode('HPMODEL\0'), 0);
  new DataView(out.buffer).setUint32(8, headerLength, true);
  out.set(json, 12);
  out.set(m.data, 12 + headerLength);
  return out;
}

function encode(p: Editable): Uint8Array {
  const blobs = p.models.map((m) => (m === undefined ? new Uint8Array(0) : encodeModel(m)));
  let offset = 0;
  ((p.header.members ?? []) as any[]).forEach((m, i) => {
    if (m.model === undefined || blobs[i] === undefined) return;
    m.model = { offset, length: blobs[i]!.length };
    offset += align8(blobs[i]!.length);
  });
  const json = new TextEncoder().encode(JSON.stringify(p.header));
  const start = align8(12 + json.length);
  const out = new Uint8Array(start + offset);
  out.set(new TextEncoder().encode('HPPKG\0\0\0'), 0);
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  ((p.header.members ?? []) as any[]).forEach((m, i) => {
    if (m.model !== undefined && blobs[i] !== undefined) out.set(blobs[i]!, start + m.model.offset);
  });
  return out;
}

/** A typed array of a member's state, as a view onto the model file's bytes (writes go into the file). */
function stateArray(m: ModelFile, name: string): Float64Array | Int32Array | Uint8Array {
  const ref = m.header.state[name];
  const Ctor = { f64: Float64Array, i32: Int32Array, u8: Uint8Array }[ref.$array as 'f64' | 'i32' | 'u8'];
  const copy = new Uint8Array(ref.length * Ctor.BYTES_PER_ELEMENT);
  copy.set(m.data.subarray(ref.offset, ref.offset + copy.length));
  return new Proxy(new Ctor(copy.buffer), {
    set(target, key, value) {
      (target as any)[key] = value;
      m.data.set(new Uint8Array(target.buffer), ref.offset);
      return true;
    },
  });
}

/** The member as packages made before rules were a learner wrote it: the rules alone, no recipe or model bytes. */
function legacyRules(p: Editable, condition: string): void {
  p.header.members[0] = { rules: { conditions: [{ if: condition, then: 'Gentoo' }], otherwise: 'Adelie' }, weight: 1 };
  p.models[0] = undefined;
}

type Edit = (p: Editable) => void;
interface Row {
  name: string;
  base: 'logistic' | 'gbdt' | 'forest' | 'linear' | 'baseline' | 'rules';
  /** An edit of the decoded package, or of its bytes. */
  edit?: Edit;
  bytes?: (bytes: Uint8Array) => Uint8Array;
  message: RegExp;
}

const ROWS: Row[] = [
  { name: 'no members', base: 'logistic', edit: (p) => delete p.header.members, message: /bad\.hpkg: .*members/ },
  { name: 'no members at all (empty list)', base: 'logistic', edit: (p) => (p.header.members = []), message: /members.*at least one|no members/ },
  { name: 'a null schema', base: 'logistic', edit: (p) => (p.header.schema = null), message: /schema/ },
  { name: 'a null target', base: 'logistic', edit: (p) => (p.header.target = null), message: /target/ },
  { name: 'a target task that does not exist', base: 'logistic', edit: (p) => (p.header.target.task = 'magic'), message: /target\.task/ },
  { name: 'format version 0', base: 'logistic', edit: (p) => (p.header.package = 0), message: /format version 0/ },
  { name: 'format version 999', base: 'logistic', edit: (p) => (p.header.package = 999), message: /format 999, newer than this Hyperplane reads/ },
  { name: 'format version 1.5', base: 'logistic', edit: (p) => (p.header.package = 1.5), message: /format version 1\.5/ },
  {
    name: 'a coef shortened to 3 values',
    base: 'logistic',
    edit: (p) => (p.models[0]!.header.state.coef.length = 3),
    message: /bad\.hpkg: member 0 \(logistic\): state\.coef has 3 values, expected 30/,
  },
  { name: 'a missing coef', base: 'logistic', edit: (p) => delete p.models[0]!.header.state.coef, message: /member 0 \(logistic\): state\.coef/ },
  { name: 'a coef of the wrong type', base: 'logistic', edit: (p) => (p.models[0]!.header.state.coef = [1, 2, 3]), message: /member 0 \(logistic\): state\.coef/ },
  { name: 'a NaN coefficient', base: 'logistic', edit: (p) => (stateArray(p.models[0]!, 'coef')[4] = NaN), message: /member 0 \(logistic\): state\.coef\[4\] is NaN/ },
  { name: 'nFeatures that disagrees with the recipe', base: 'logistic', edit: (p) => (p.models[0]!.header.nFeatures = 29), message: /member 0 \(logistic\): nFeatures is 29 but its recipe makes 30 features/ },
  { name: 'three labels for a binary target', base: 'logistic', edit: (p) => p.header.target.labels.push('unsure'), message: /target\.labels has 3 labels, expected 2/ },
  { name: 'no labels for a classification target', base: 'logistic', edit: (p) => delete p.header.target.labels, message: /target\.labels/ },
  { name: 'a threshold of 7', base: 'logistic', edit: (p) => (p.header.target.threshold = 7), message: /target\.threshold/ },
  { name: 'a member weight of -1', base: 'logistic', edit: (p) => (p.header.members[0].weight = -1), message: /members\.0\.weight: .*>=0/ },
  { name: 'a recipe input the schema lacks', base: 'logistic', edit: (p) => (p.header.members[0].recipe.inputs[0].name = 'nope'), message: /member 0 \(logistic\): recipe\.inputs\.0.*'nope'.*schema/ },
  { name: 'a recipe step reading input 99', base: 'logistic', edit: (p) => (p.header.members[0].recipe.steps[0].input = 99), message: /member 0 \(logistic\): recipe\.steps\.0.*input 99/ },
  { name: 'a recipe feature list one short', base: 'logistic', edit: (p) => p.header.members[0].recipe.features.pop(), message: /member 0 \(logistic\): recipe/ },
  { name: 'an unknown member kind', base: 'logistic', edit: (p) => (p.models[0]!.header.kind = 'telepathy'), message: /member 0: unknown model kind 'telepathy'/ },
  { name: 'an extra member of an unknown shape', base: 'logistic', edit: (p) => p.header.members.push({ magic: true, weight: 1 }), message: /members\.1/ },
  { name: 'a model task that disagrees with the target', base: 'logistic', edit: (p) => (p.models[0]!.header.task = 'regression'), message: /member 0 \(logistic\): task/ },
  { name: 'a NaN tree threshold', base: 'gbdt', edit: (p) => (stateArray(p.models[0]!, 'threshold')[0] = NaN), message: /member 0 \(gbdt\): state\.threshold\[0\] is NaN/ },
  { name: 'a child index out of range', base: 'gbdt', edit: (p) => (stateArray(p.models[0]!, 'left')[0] = 9999), message: /member 0 \(gbdt\): state\.left\[0\].*9999/ },
  { name: 'a tree that loops back on itself', base: 'gbdt', edit: (p) => (stateArray(p.models[0]!, 'right')[0] = 0), message: /member 0 \(gbdt\): state\.right\[0\]/ },
  { name: 'a split on feature 500', base: 'gbdt', edit: (p) => (stateArray(p.models[0]!, 'feature')[0] = 500), message: /member 0 \(gbdt\): state\.feature\[0\] is 500/ },
  { name: 'a leaf index out of range', base: 'gbdt', edit: (p) => (stateArray(p.models[0]!, 'left')[0] = -9999), message: /member 0 \(gbdt\): state\.left\[0\]/ },
  { name: 'tree offsets that run past the nodes', base: 'gbdt', edit: (p) => (stateArray(p.models[0]!, 'nodeOffset')[1] = 1e6), message: /member 0 \(gbdt\): state\.nodeOffset/ },
  { name: 'gbdt outputs that disagree with the classes', base: 'gbdt', edit: (p) => (p.models[0]!.header.state.outputs = 2), message: /member 0 \(gbdt\): state\.outputs/ },
  { name: 'an unknown gbdt objective', base: 'gbdt', edit: (p) => (p.models[0]!.header.state.objective = 'vibes'), message: /member 0 \(gbdt\): state\.objective/ },
  { name: 'a forest child index out of range', base: 'forest', edit: (p) => (stateArray(p.models[0]!, 'right')[0] = 123456), message: /member 0 \(forest\): state\.right\[0\]/ },
  { name: 'a forest with an infinite leaf', base: 'forest', edit: (p) => (stateArray(p.models[0]!, 'leafValue')[0] = Infinity), message: /member 0 \(forest\): state\.leafValue\[0\]/ },
  { name: 'a linear intercept that is a string', base: 'linear', edit: (p) => (p.models[0]!.header.state.intercept = 'zero'), message: /member 0 \(linear\): state\.intercept/ },
  { name: 'baseline scores of the wrong length', base: 'baseline', edit: (p) => (p.models[0]!.header.state.scores.length = 1), message: /member 0 \(baseline\): state\.scores has 1 value/ },
  { name: 'a rule that does not parse', base: 'rules', edit: (p) => (p.header.members[0].recipe.steps[0].if = '`Flipper Length (mm)` >'), message: /member 0 \(rules\): recipe\.steps\.0\.if: the expression ends too soon/ },
  { name: 'a rule on a column its step does not read', base: 'rules', edit: (p) => (p.header.members[0].recipe.steps[0].if = 'nope > 3'), message: /member 0 \(rules\): recipe\.steps\.0\.if: the condition reads 'nope', which is not among the step's inputs/ },
  { name: 'rules outcomes that are not probabilities', base: 'rules', edit: (p) => (stateArray(p.models[0]!, 'outcomes')[0] = 2), message: /member 0 \(rules\): state\.outcomes\[0\] is 2; expected a probability/ },
  // Packages made before rules were a learner held bare rules; they load as the rules learner's recipe and model.
  { name: 'older bare rules that do not parse', base: 'rules', edit: (p) => legacyRules(p, 'Culmen Length (mm) >'), message: /member 0 \(rules\): field 'rules\.conditions\.0\.if': unexpected 'Length'/ },
  { name: 'older bare rules on a column the schema lacks', base: 'rules', edit: (p) => legacyRules(p, 'nope > 3'), message: /member 0 \(rules\): .*unknown column 'nope'/ },
  { name: 'truncated bytes', base: 'logistic', bytes: (b) => b.subarray(0, b.length - 100), message: /truncated/ },
  { name: 'a header cut short', base: 'logistic', bytes: (b) => b.subarray(0, 200), message: /truncated/ },
  { name: 'random bytes', base: 'logistic', bytes: (b) => Uint8Array.from(b, (_, i) => (i * 7919 + 13) & 255), message: /not a Hyperplane model package/ },
  { name: 'the wrong magic', base: 'logistic', bytes: (b) => Uint8Array.from(b, (v, i) => (i === 0 ? 0x58 : v)), message: /not a Hyperplane model package/ },
  { name: 'random bytes after a good signature', base: 'logistic', bytes: (b) => Uint8Array.from(b, (v, i) => (i < 8 ? v : (i * 31 + 7) & 255)), message: /truncated|corrupt/ },
  { name: 'an empty file', base: 'logistic', bytes: () => new Uint8Array(0), message: /not a Hyperplane model package/ },
];

describe('a hand-edited model package is refused with exit 2 and one line naming the member and field', () => {
  let dir: string;
  const packages = new Map<Row['base'], Uint8Array>();
  const data: Record<Row['base'], string> = {
    logistic: fixture('breast_cancer.csv'),
    gbdt: fixture('penguins.json'),
    forest: fixture('breast_cancer.csv'),
    linear: fixture('cars.json'),
    baseline: fixture('breast_cancer.csv'),
    rules: fixture('penguins.json'),
  };

  beforeAll(async () => {
    dir = tempDir();
    const train = async (base: Row['base'], args: string[]): Promise<void> => {
      const out = join(dir, base);
      const r = await runCli(['train', ...args, '--out', out, '--no-track']);
      expect(r.code, r.stderr).toBe(0);
      packages.set(base, readFileSync(join(out, 'model.hpkg')));
    };
    await train('logistic', [data.logistic, '--target', 'diagnosis', '--learner', 'logistic']);
    await train('gbdt', [data.gbdt, '--target', 'Species', '--learner', 'gbdt', '--n-estimators', '3']);
    await train('forest', [data.forest, '--target', 'diagnosis', '--learner', 'forest', '--n-estimators', '3']);
    await train('linear', [data.linear, '--target', 'Miles_per_Gallon', '--learner', 'linear']);
    await train('baseline', [data.baseline, '--target', 'diagnosis', '--learner', 'baseline']);
    const config = join(dir, 'rules.json');
    writeFileSync(
      config,
      JSON.stringify({ data: data.rules, target: 'Species', learner: 'rules', rules: { conditions: [{ if: '`Flipper Length (mm)` > 205', then: 'Gentoo' }], otherwise: 'Adelie' } }),
    );
    await train('rules', ['--config', config]);
  }, 120_000);

  it('the unedited packages load and predict (the helper re-encodes them faithfully)', async () => {
    for (const [base, bytes] of packages) {
      const again = encode(decode(bytes));
      expect(Buffer.from(again).equals(Buffer.from(bytes)), base).toBe(true);
      const file = join(dir, `${base}-same.hpkg`);
      writeFileSync(file, again);
      const r = await runCli(['predict', file, data[base]]);
      expect(r.code, r.stderr).toBe(0);
    }
  }, 60_000);

  for (const row of ROWS) {
    it(row.name, async () => {
      const original = packages.get(row.base)!;
      let bytes: Uint8Array;
      if (row.bytes !== undefined) bytes = row.bytes(Uint8Array.from(original));
      else {
        const p = decode(Uint8Array.from(original));
        row.edit!(p);
        bytes = encode(p);
      }
      // The library refuses it as bad input (the server's reload relies on this).
      expect(() => decodePackage(bytes, 'bad.hpkg')).toThrow(expect.objectContaining({ name: expect.stringMatching(/HyperplaneError|LearnError/) }));
      const file = join(dir, 'bad.hpkg');
      writeFileSync(file, bytes);
      await expectRefused(['predict', file, data[row.base]], row.message);
    });
  }

  it('evaluate refuses a bad package the same way', async () => {
    const p = decode(Uint8Array.from(packages.get('logistic')!));
    p.models[0]!.header.state.coef.length = 3;
    const file = join(dir, 'short.hpkg');
    writeFileSync(file, encode(p));
    await expectRefused(['evaluate', file, data.logistic], /short\.hpkg: member 0 \(logistic\): state\.coef has 3 values, expected 30/);
  });
});
