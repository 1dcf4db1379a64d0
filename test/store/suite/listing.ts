import { expect, it } from 'vitest';
import type { RunQuery, RunRecord, RunStatus, RunSummary } from '../../../src/store/index.js';
import { random, type SuiteContext } from './context.js';

interface Expected {
  id: string;
  experiment: string;
  status: RunStatus;
  start: number;
  tags: Record<string, string>;
  auc: number | undefined;
  loss: number;
}

const STATUSES: RunStatus[] = ['finished', 'finished', 'failed', 'running', 'killed'];

/** 10,000 runs with ties in start time and in rounded AUC, and 1 in 10 without an AUC. */
function manyRuns(): { records: RunRecord[]; facts: Omit<Expected, 'id'>[] } {
  const rnd = random(6);
  const records: RunRecord[] = [];
  const facts: Omit<Expected, 'id'>[] = [];
  for (let i = 0; i < 10_000; i++) {
    const fact = {
      experiment: i % 4 === 0 ? 'other' : 'big',
      status: STATUSES[i % STATUSES.length]!,
      start: 1_700_000_000_000 + Math.floor(i / 2) * 1000,
      tags: { team: ['a', 'b', 'c'][i % 3]!, gpu: i % 7 === 0 ? 'yes' : 'no' },
      auc: i % 10 === 9 ? undefined : Math.round(rnd() * 1000) / 1000,
      loss: Math.round(rnd() * 100) / 100,
    };
    facts.push(fact);
    records.push({
      experiment: fact.experiment,
      status: fact.status,
      startTime: fact.start,
      endTime: fact.start + 500,
      tags: fact.tags,
      params: { i },
      metrics: [
        ...(fact.auc === undefined ? [] : [{ name: 'auc', value: fact.auc, timestamp: fact.start }]),
        { name: 'loss', value: 9, step: 0, timestamp: fact.start },
        { name: 'loss', value: fact.loss, step: 1, timestamp: fact.start + 1 },
      ],
    });
  }
  return { records, facts };
}

const byId = (a: Expected, b: Expected): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The order the store must give: metric value, then id, in one direction; runs without the metric last. */
function sortByAuc(runs: Expected[], direction: 'asc' | 'desc'): string[] {
  const sign = direction === 'asc' ? 1 : -1;
  const have = runs.filter((r) => r.auc !== undefined).sort((a, b) => sign * (a.auc! - b.auc! || byId(a, b)));
  const lack = runs.filter((r) => r.auc === undefined).sort((a, b) => sign * byId(a, b));
  return [...have, ...lack].map((r) => r.id);
}

async function allPages(ctx: SuiteContext, query: RunQuery): Promise<RunSummary[]> {
  const out: RunSummary[] = [];
  let cursor: string | null = null;
  do {
    const page: { runs: RunSummary[]; nextCursor: string | null } = await ctx.store.tracking.listRuns({ ...query, ...(cursor === null ? {} : { cursor }) });
    out.push(...page.runs);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return out;
}

export function listingCases(ctx: SuiteContext): void {
  it('filters, sorts and pages 10,000 runs by metric, tag, status and experiment', async () => {
    const t = ctx.store.tracking;
    const { records, facts } = manyRuns();
    const started = performance.now();
    const ids = await t.importRuns(records);
    const imported = performance.now() - started;
    const runs: Expected[] = facts.map((f, i) => ({ ...f, id: ids[i]! }));
    expect(await t.countRuns()).toBe(10_000);

    const timings: Record<string, number> = {};
    const timed = async <T>(label: string, f: () => Promise<T>): Promise<T> => {
      const t0 = performance.now();
      const result = await f();
      timings[label] = Math.round(performance.now() - t0);
      return result;
    };

    const big = runs.filter((r) => r.experiment === 'big');
    expect(await timed('count auc > 0.9', () => t.countRuns({ experiment: 'big', metrics: [{ metric: 'auc', op: '>', value: 0.9 }] }))).toBe(
      big.filter((r) => r.auc !== undefined && r.auc > 0.9).length,
    );

    const desc = await timed('all pages by auc desc', () => allPages(ctx, { orderBy: { by: 'metric', metric: 'auc' }, limit: 1000 }));
    expect(desc.map((r) => r.id)).toEqual(sortByAuc(runs, 'desc'));
    const asc = await allPages(ctx, { orderBy: { by: 'metric', metric: 'auc', direction: 'asc' }, limit: 999 });
    expect(asc.map((r) => r.id)).toEqual(sortByAuc(runs, 'asc'));
    const first = desc[0]!;
    const fact = runs.find((r) => r.id === first.id)!;
    expect(first).toMatchObject({ experimentId: expect.any(String), status: fact.status, startTime: fact.start, tags: fact.tags, metrics: { auc: fact.auc, loss: fact.loss } });
    // Params only when asked for, those asked for, with the page.
    expect(first.params).toBeUndefined();
    const withParams = await t.listRuns({ orderBy: { by: 'metric', metric: 'auc' }, limit: 5, params: ['i', 'absent'] });
    expect(withParams.runs.map((r) => r.params)).toEqual(withParams.runs.map((r) => ({ i: ids.indexOf(r.id) })));

    const newest = await allPages(ctx, { limit: 777 });
    expect(newest.map((r) => r.id)).toEqual([...runs].sort((a, b) => b.start - a.start || -byId(a, b)).map((r) => r.id));

    const query: RunQuery = {
      experiment: 'big',
      status: ['finished', 'failed'],
      tags: { team: 'a', gpu: 'no' },
      metrics: [
        { metric: 'auc', op: '>=', value: 0.5 },
        { metric: 'loss', op: '<', value: 0.3 },
      ],
      orderBy: { by: 'metric', metric: 'loss', direction: 'asc' },
      limit: 50,
    };
    const page = await timed('filtered page', () => t.listRuns(query));
    const expected = big
      .filter((r) => (r.status === 'finished' || r.status === 'failed') && r.tags['team'] === 'a' && r.tags['gpu'] === 'no' && r.auc !== undefined && r.auc >= 0.5 && r.loss < 0.3)
      .sort((a, b) => a.loss - b.loss || byId(a, b));
    expect(await t.countRuns(query)).toBe(expected.length);
    expect(page.runs.map((r) => r.id)).toEqual(expected.slice(0, 50).map((r) => r.id));
    expect((await t.listRuns({ metrics: [{ metric: 'auc', op: '!=', value: 0.5 }], limit: 10_000 })).runs.length).toBe(
      runs.filter((r) => r.auc !== undefined && r.auc !== 0.5).length,
    );
    expect((await t.listRuns({ status: 'killed', limit: 1 })).runs[0]!.status).toBe('killed');

    await expect(t.listRuns({ cursor: page.nextCursor! })).rejects.toThrow('the cursor belongs to a listing ordered by metric loss asc, not startTime desc');
    await expect(t.listRuns({ cursor: 'garbage' })).rejects.toThrow('the cursor is not one this store handed out');
    await expect(t.listRuns({ experiment: 'nope' })).rejects.toThrow("no experiment named 'nope'");
    await expect(t.listRuns({ limit: 0 })).rejects.toThrow('limit must be an integer from 1 to 10000');
    console.log(`${ctx.store.dialect}: imported 10,000 runs in ${Math.round(imported)} ms; queries (ms): ${JSON.stringify(timings)}`);
  });
}
