/// <reference lib="dom" />
import { statSync } from 'node:fs';
import { expect, it } from 'vitest';
import type { Checks } from '../dashboard-suite.js';
import { XSS } from '../seed.js';

/** As the page shows a number (format.ts num): 4 significant digits, trailing zeros dropped. */
const four = (v: number): string => (Number.isInteger(v) ? v.toLocaleString('en-US') : Number(v.toPrecision(4)).toString());

interface SummaryJson {
  importance: { column: string; importance: number }[];
  diagnostics: { kind: string; message: string }[];
  curves?: { roc?: unknown[] };
}

/** The run page and the compare page, against what the store holds. */
export const runChecks: Checks = (ctx, backend) => {
  it('the run page of a trained run shows its metrics, inputs, summary, curves and artifacts from the store', async () => {
    const { open, seeded, store } = ctx();
    const id = seeded.runs.gbdt;
    const run = (await store.tracking.getRun(id))!;
    const summaryRef = run.artifacts.find((a) => a.name === 'summary')!;
    const summary = JSON.parse(new TextDecoder().decode(await store.artifacts.get(summaryRef.sha256))) as SummaryJson;
    const { page, errors } = await open(`/runs/${id}`);
    await expect.poll(() => page.locator('h1').textContent()).toContain('credit-gbdt');
    // A run without notes has no notebook section.
    expect(run.notes).toEqual([]);
    expect(await page.locator('ol[aria-label="Notes"]').count()).toBe(0);

    // The latest metrics, held-out beside train_ (4 significant digits, as the store has them).
    const auc = page.locator('table[aria-label="Metrics"] tbody tr', { has: page.locator('td:first-child', { hasText: /^auc$/ }) });
    await expect.poll(() => auc.locator('td').allTextContents()).toEqual(['auc', four(run.metrics['auc']!), four(run.metrics['train_auc']!)]);
    expect(await page.locator('table[aria-label="Metrics"] thead').textContent()).toMatch(/test.*train/);
    // No train_ metric gets a row of its own when its twin is there.
    expect(await page.locator('table[aria-label="Metrics"] tbody td:first-child').allTextContents()).not.toContain('train_auc');

    // Its data input, with the fingerprint and row count.
    const input = run.inputs[0]!;
    const inputs = await page.locator('table[aria-label="Inputs"] tbody').textContent();
    expect(inputs).toContain(input.fingerprint);
    expect(inputs).toContain(input.rows!.toLocaleString('en-US'));
    expect(await page.locator('main').textContent()).toContain(run.environment!.node);

    // Importance in the summary's order, each with its bar; the diagnostics; the evaluation text.
    const columns = await page.locator('table[aria-label="Importance"] tbody td:first-child').allTextContents();
    expect(columns).toEqual(summary.importance.map((i) => i.column));
    expect(await page.locator('table[aria-label="Importance"] .bar').count()).toBe(summary.importance.length);
    const diagnostics = await page.locator('ul[aria-label="Diagnostics"]').textContent();
    for (const d of summary.diagnostics) expect(diagnostics).toContain(d.message);
    expect(await page.locator('table[aria-label="Drivers"] tbody tr').count()).toBeGreaterThan(0);

    // The test curves drawn by uPlot: a canvas in each chart, the ROC with its chance line.
    for (const kind of ['roc', 'pr', 'calibration', 'gain']) await expect.poll(() => page.locator(`figure[data-curve="${kind}"] .chart canvas`).count()).toBe(1);
    expect(await page.locator('figure[data-curve="roc"] .u-legend').textContent()).toMatch(/ROC.*chance/);
    // A trained run logs each metric once: no history to draw.
    await expect.poll(() => page.locator('section[aria-label="Metric histories"]').textContent()).toContain('single value');

    // Artifacts with their sizes, and a download that sends the key: the file is the artifact's bytes.
    const rows = page.locator('table[aria-label="Artifacts"] tbody tr');
    expect(await rows.count()).toBe(run.artifacts.length);
    expect(await page.locator('table[aria-label="Artifacts"] tbody td:first-child').allTextContents()).toEqual(run.artifacts.map((a) => a.name));
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'download summary' }).click()]);
    expect(file.suggestedFilename()).toBe('summary.json');
    expect(statSync((await file.path())!).size).toBe(await store.artifacts.size(summaryRef.sha256));
    const model = run.artifacts.find((a) => a.name === 'model')!;
    const [modelFile] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'download model' }).click()]);
    expect(modelFile.suggestedFilename()).toBe('model.hpkg');
    expect(statSync((await modelFile.path())!).size).toBe(await store.artifacts.size(model.sha256));
    expect(errors).toEqual([]);
  });

  it('the run page of a scripted run (no summary) draws its loss and val_loss histories', async () => {
    const { open, seeded, store } = ctx();
    const run = (await store.tracking.getRun(seeded.runs.curve))!;
    const { page, errors } = await open(`/runs/${run.id}`);
    await expect.poll(() => page.locator('h1').textContent()).toContain('credit-net');
    const chart = page.locator('figure[data-metric="loss"]');
    await expect.poll(() => chart.locator('.chart canvas').count()).toBe(1);
    const legend = await chart.locator('.u-legend').textContent();
    expect(legend).toContain('loss');
    expect(legend).toContain('val_loss');
    // auc was logged once: not drawn.
    expect(await page.locator('figure[data-metric="auc"]').count()).toBe(0);
    // Params and latest metrics as the store has them; no summary sections.
    expect(await page.locator('table[aria-label="Params"] tbody').textContent()).toContain('0.01');
    expect(await page.locator('table[aria-label="Metrics"] tbody').textContent()).toContain(four(run.metrics['val_loss']!));
    expect(await page.locator('section[aria-label="Test curves"]').count()).toBe(0);
    expect(await page.locator('table[aria-label="Artifacts"] tbody').textContent()).toContain('No artifact');
    // Its lab notebook, oldest first, each note with its author and its own line breaks.
    const notes = page.locator('ol[aria-label="Notes"] > li');
    expect(await notes.locator('.note-text').allTextContents()).toEqual(run.notes.map((n) => n.text));
    expect(run.notes.map((n) => n.author)).toEqual(['cli:ann', 'key:ci']);
    expect(await notes.allTextContents()).toEqual([expect.stringContaining('cli:ann'), expect.stringContaining('key:ci')]);
    expect(await notes.nth(1).locator('.note-text').innerText()).toBe('no: val_loss still rises after epoch 14\nnext: early stopping');
    expect(errors).toEqual([]);
  });

  it.runIf(backend === 'SQLite')('the run page shows a run named with markup as text', async () => {
    const { open, seeded } = ctx();
    const { page, dialogs, errors } = await open(`/runs/${seeded.runs.xss}`);
    await expect.poll(() => page.locator('h1 .run-name').textContent()).toBe(XSS);
    expect(await page.locator('table[aria-label="Params"] tbody').textContent()).toContain(XSS);
    expect(await page.locator('ol[aria-label="Notes"] .note-text').textContent()).toBe(XSS);
    expect(await page.locator('main img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('the compare page shows two runs side by side, the differing rows marked, and their ROC curves overlaid', async () => {
    const { open, seeded } = ctx();
    const { logistic, gbdt } = seeded.runs;
    const { page, errors } = await open(`/compare?ids=${logistic},${gbdt}`);
    const table = page.locator('table[aria-label="Compared runs"]');
    await expect.poll(() => table.locator('thead th').allTextContents()).toEqual(['run', expect.stringContaining('credit-logistic'), expect.stringContaining('credit-gbdt')]);
    expect(await table.locator('thead a').first().getAttribute('href')).toBe(`#/runs/${logistic}`);
    // learner differs: highlighted, both values in the runs' order.
    const learner = table.locator('tr[data-field="params:learner"]');
    expect(await learner.getAttribute('class')).toContain('differ');
    expect(await learner.locator('td').allTextContents()).toEqual(['logistic', 'gbdt']);
    // Same data for both: not marked.
    const source = table.locator('tr[data-field="tags:source"]');
    expect(await source.getAttribute('class')).toBeNull();
    // Only the differences: the equal rows go, the differing stay.
    await page.getByLabel('only differences').check();
    await expect.poll(() => source.count()).toBe(0);
    expect(await learner.count()).toBe(1);
    expect(await table.locator('tr[data-field="metrics:auc"]').count()).toBe(1);

    // One ROC chart, a series per run (and the chance line).
    const roc = page.locator('figure[data-curve="roc"]');
    await expect.poll(() => roc.locator('.chart canvas').count()).toBe(1);
    const legend = await roc.locator('.u-legend').textContent();
    expect(legend).toContain('credit-logistic');
    expect(legend).toContain('credit-gbdt');
    expect(await roc.locator('.u-legend .u-series').count()).toBe(4);
    expect(errors).toEqual([]);
  });

  it('the compare page overlays the metric histories of the runs that have them', async () => {
    const { open, seeded } = ctx();
    const { page, errors } = await open(`/compare?ids=${seeded.runs.gbdt},${seeded.runs.curve}`);
    const loss = page.locator('figure[data-metric="loss"]');
    await expect.poll(() => loss.locator('.chart canvas').count()).toBe(1);
    expect(await loss.locator('.u-legend').textContent()).toContain('credit-net');
    expect(await page.locator('figure[data-metric="val_loss"] .chart canvas').count()).toBe(1);
    // Metrics logged once by every run are not drawn.
    expect(await page.locator('figure[data-metric="auc"]').count()).toBe(0);
    // The scripted run has no test curves: only the gbdt's ROC.
    await expect.poll(() => page.locator('section[aria-label="Overlaid curves"]').textContent()).toContain('1 of 2 runs have a ROC curve');
    expect(errors).toEqual([]);
  });

  it.runIf(backend === 'SQLite')('the compare page with one run says how to pick runs', async () => {
    const { open, seeded } = ctx();
    const { page } = await open(`/compare?ids=${seeded.runs.gbdt}`);
    const note = page.locator('.how-to');
    await expect.poll(() => note.textContent()).toContain('tick them on the Runs page');
    expect(await note.locator('a').getAttribute('href')).toBe('#/runs');
    expect(await page.locator('table').count()).toBe(0);
  });
};
