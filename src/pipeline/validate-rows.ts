import type { SchemaType } from '../data/schema/schema.js';
import { isMissingMarker, parseDateText, parseNumberText } from '../data/schema/values.js';
import type { PipelineSpec } from './pipeline.js';
import type { ModelSignature } from './signature.js';

/** One thing wrong with a request row, as the 400 answer lists it. */
export interface FieldProblem {
  field: string;
  problem: string;
  expected: string;
  /** The row's index in a batch. */
  row?: number;
}

export interface ValidationOptions {
  /** 'ignore' (default): fields the model does not read are left alone; 'reject': each is a problem. */
  extraFields: 'ignore' | 'reject';
  /** A row holding none of the fields the model reads is scored as all missing, with a note; strict: it is a problem (400). */
  strict?: boolean;
}

const EXPECTED: Record<SchemaType, string> = {
  numeric: 'a number (or null when missing)',
  binary: 'one of the two training values, a boolean or 0/1 (or null)',
  categorical: 'a string or number (or null)',
  text: 'a string (or null)',
  datetime: 'a date such as 2024-01-31 or epoch milliseconds (or null)',
  id: 'a string or number',
  constant: 'any single value',
};

const NO_NOTES: readonly string[] = Object.freeze([]);

/**
 * Checks request rows against a model's signature before they reach the recipe, collecting every
 * problem (a 400 lists them all, not just the first). Missing fields are not problems: they are
 * predicted as missing. Unknown categories are not problems either, only notes: they score as "other".
 */
export class RowValidator {
  private readonly types: Map<string, SchemaType>;
  /** Levels each categorical input was trained with, to note unknown ones. */
  private readonly levels = new Map<string, Set<string>>();
  /** Rows often carry the target (a copy of training data): it is never an extra field. */
  private readonly target: string;
  /** Inputs where any finite number is fine and nothing is noted: one lookup settles most fields. */
  private readonly plainNumbers = new Set<string>();

  constructor(
    signature: ModelSignature,
    spec: PipelineSpec,
    private readonly options: ValidationOptions = { extraFields: 'ignore' },
  ) {
    this.types = new Map(signature.inputs.map((i) => [i.name, i.type]));
    this.target = signature.output.name;
    for (const member of spec.members) {
      if (!('recipe' in member)) continue;
      for (const step of member.recipe.steps) {
        if (step.kind !== 'category' || step.inputs.length !== 1 || step.normalize !== undefined) continue;
        const name = member.recipe.inputs[step.inputs[0]!]!.name;
        const set = this.levels.get(name) ?? new Set<string>();
        for (const level of step.levels) set.add(level);
        this.levels.set(name, set);
      }
    }
    for (const [name, type] of this.types) if (type === 'numeric' && !this.levels.has(name)) this.plainNumbers.add(name);
  }

  /** Problems (empty when the rows can be scored) and notes (unknown categories, per row; most rows share one empty list). */
  check(rows: readonly unknown[]): { problems: FieldProblem[]; notes: (readonly string[])[] } {
    const problems: FieldProblem[] = [];
    const notes: (readonly string[])[] = new Array(rows.length);
    const at = (r: number): { row?: number } => (rows.length > 1 ? { row: r } : {});
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      let rowNotes: string[] | undefined;
      if (row === null || typeof row !== 'object' || Array.isArray(row)) {
        problems.push({ field: '(row)', problem: `got ${Array.isArray(row) ? 'an array' : row === null ? 'null' : typeof row}`, expected: 'an object of field: value', ...at(r) });
        notes[r] = NO_NOTES;
        continue;
      }
      const record = row as Record<string, unknown>;
      // How many of the model's inputs the row holds: none means the caller sent something else entirely.
      let read = 0;
      // A parsed JSON object has only own, enumerable fields: for...in needs no hasOwn check (it cost more than the rest of the loop).
      for (const field in record) {
        const value = record[field];
        // The common case first: a finite number for a numeric input.
        if (typeof value === 'number' && Number.isFinite(value) && this.plainNumbers.has(field)) {
          read++;
          continue;
        }
        const type = this.types.get(field);
        if (type !== undefined) read++;
        if (type === undefined) {
          if (this.options.extraFields === 'reject' && field !== this.target) problems.push({ field, problem: 'the model does not take this field', expected: `only ${[...this.types.keys()].join(', ')}`, ...at(r) });
          continue;
        }
        const problem = this.problemWith(type, value);
        if (problem !== undefined) {
          problems.push({ field, problem, expected: EXPECTED[type], ...at(r) });
          continue;
        }
        const known = this.levels.get(field);
        if (known !== undefined && known.size > 0 && value !== null && !(typeof value === 'string' && isMissingMarker(value)) && !known.has(String(value))) {
          (rowNotes ??= []).push(`unknown category '${String(value).slice(0, 40)}' for '${field}': scored as other`);
        }
      }
      if (read === 0 && this.types.size > 0) {
        if (this.options.strict === true) problems.push({ field: '(row)', problem: 'none of the fields the model reads', expected: `at least one of ${this.inputList()}`, ...at(r) });
        else (rowNotes ??= []).push(`none of the fields the model reads (${this.inputList()}): scored as all missing`);
      }
      notes[r] = rowNotes ?? NO_NOTES;
    }
    return { problems, notes };
  }

  /** The model's inputs, for a message (the first ten). */
  private inputList(): string {
    const names = [...this.types.keys()];
    return `${names.slice(0, 10).join(', ')}${names.length > 10 ? `, … (${names.length} in all)` : ''}`;
  }

  private problemWith(type: SchemaType, value: unknown): string | undefined {
    if (value === null || value === undefined) return undefined;
    if (typeof value === 'object') return `got ${Array.isArray(value) ? 'an array' : 'an object'}`;
    switch (type) {
      case 'numeric':
        if (typeof value === 'number') return Number.isFinite(value) ? undefined : 'got a non-finite number';
        if (typeof value === 'boolean') return undefined;
        if (typeof value === 'string' && (isMissingMarker(value) || parseNumberText(value) !== undefined)) return undefined;
        return `got ${typeof value === 'string' ? `'${value.slice(0, 40)}'` : typeof value}`;
      case 'datetime':
        if (typeof value === 'number') return undefined;
        if (typeof value === 'string' && (isMissingMarker(value) || !Number.isNaN(parseDateText(value)))) return undefined;
        return `got ${typeof value === 'string' ? `'${value.slice(0, 40)}'` : typeof value}`;
      default:
        return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? undefined : `got ${typeof value}`;
    }
  }
}
