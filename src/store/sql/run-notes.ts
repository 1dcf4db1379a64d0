import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { RunNote } from '../tracking.js';
import { chunks } from '../validate.js';

type NoteRow = { run_id: string; ts: number; author: string; text: string };
const asNote = (r: NoteRow): RunNote => ({ text: r.text, author: r.author, time: r.ts });

export async function runNotes(db: Kysely<Database>, runId: string): Promise<RunNote[]> {
  const rows = await db.selectFrom('run_notes').select(['run_id', 'ts', 'author', 'text']).where('run_id', '=', runId).orderBy('id').execute();
  return rows.map(asNote);
}

export async function latestNotes(db: Kysely<Database>, runIds: readonly string[]): Promise<Map<string, RunNote>> {
  const latest = new Map<string, RunNote>();
  for (const part of chunks([...new Set(runIds)], 1000)) {
    const rows = await db.selectFrom('run_notes').select(['run_id', 'ts', 'author', 'text']).where('run_id', 'in', part).orderBy('id').execute();
    // In writing order, so the last one seen for a run is its newest.
    for (const r of rows) latest.set(r.run_id, asNote(r));
  }
  return latest;
}
