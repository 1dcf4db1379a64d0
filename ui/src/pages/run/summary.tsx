import { useMemo } from 'preact/hooks';
import { asSeries, CurveChart } from '../../components/curves';
import { Fields, Table } from '../../components/table';
import { num, text } from '../../format';
import type { Summary } from './shared';

/** The ROC, PR, calibration and gain series' names in their charts. */
const CURVE_LABEL: Record<string, string> = { roc: 'ROC', pr: 'precision', calibration: 'observed', gain: 'gain' };

export function SummarySection({ summary }: { summary: Summary }) {
  const curves = summary.curves ?? {};
  const curveKinds = (['roc', 'pr', 'calibration', 'gain'] as const).filter((k) => (curves[k]?.length ?? 0) > 0);
  const curveSeries = useMemo(() => Object.fromEntries(curveKinds.map((k) => [k, [asSeries(CURVE_LABEL[k], curves[k]!)]])), [summary]);
  const classes = (summary.classCurves ?? []).filter((c) => (c.roc?.length ?? 0) > 0);
  const classRoc = useMemo(() => classes.map((c) => asSeries(`${c.label} (auc ${num(c.auc)})`, c.roc!)), [summary]);
  const classPr = useMemo(() => (summary.classCurves ?? []).filter((c) => (c.pr?.length ?? 0) > 0).map((c) => asSeries(`${c.label} (ap ${num(c.ap)})`, c.pr!)), [summary]);
  const importance = summary.importance ?? [];
  const top = Math.max(1e-12, ...importance.map((i) => Math.abs(i.importance)));
  const drivers = summary.drivers?.columns ?? [];
  const topContribution = Math.max(1e-12, ...drivers.map((d) => Math.abs(d.meanAbsContribution ?? 0)));
  return (
    <>
      <section aria-label="Training summary" class="training">
        <h2>Training</h2>
        <Fields
          fields={[
            ['target', summary.target === undefined ? '—' : `${summary.target.name} (${summary.target.task}${summary.target.labels ? `: ${summary.target.labels.join(', ')}` : ''})`],
            ['learner', summary.learner ?? '—'],
            ['chosen by', summary.metric ?? '—'],
            ['evaluation', <span class="evaluation">{summary.evaluation ?? '—'}</span>],
            ...Object.entries(summary.fit ?? {}).map(([k, v]): [string, string] => [`fit: ${k}`, text(v)]),
            ...Object.entries(summary.params ?? {}).map(([k, v]): [string, string] => [`learner param: ${k}`, text(v)]),
          ]}
        />
        {(summary.diagnostics ?? []).length > 0 && (
          <>
            <h3>Diagnostics</h3>
            <ul class="diagnostics" aria-label="Diagnostics">
              {summary.diagnostics!.map((d, i) => (
                <li key={i}>
                  <span class="badge warn">{d.kind}</span> {d.message}
                </li>
              ))}
            </ul>
          </>
        )}
        {(summary.warnings ?? []).length > 0 && (
          <ul class="warnings" aria-label="Training warnings">
            {summary.warnings!.map((w, i) => (
              <li key={i}>{w}</li>
            ))}
          </ul>
        )}
      </section>

      {(summary.leaderboard ?? []).length > 0 && (
        <section>
          <h3>Leaderboard</h3>
          <Table
            label="Leaderboard"
            rows={summary.leaderboard!}
            rowKey={(r) => `${r.learner} ${JSON.stringify(r.params ?? {})}`}
            columns={[
              { key: 'learner', label: 'learner', cell: (r) => r.learner },
              { key: 'params', label: 'params', cell: (r) => <span class="mono">{Object.keys(r.params ?? {}).length === 0 ? '—' : JSON.stringify(r.params)}</span> },
              { key: 'score', label: summary.metric ?? 'score', numeric: true, cell: (r) => (r.error !== undefined ? <span class="bad-text">{r.error}</span> : num(r.score)) },
              { key: 'seconds', label: 'seconds', numeric: true, cell: (r) => num(r.seconds ?? null, 3) },
            ]}
          />
        </section>
      )}

      <div class="grid2">
        {importance.length > 0 && (
          <section>
            <h3>Importance</h3>
            <Table
              label="Importance"
              rows={importance}
              rowKey={(r) => r.column}
              columns={[
                { key: 'column', label: 'column', cell: (r) => r.column },
                { key: 'value', label: 'importance', numeric: true, cell: (r) => num(r.importance) },
                { key: 'bar', label: '', cell: (r) => <span class="bar" style={{ width: `${(100 * Math.abs(r.importance)) / top}px` }} /> },
              ]}
            />
          </section>
        )}
        {drivers.length > 0 && (
          <section>
            <h3>
              Drivers{summary.drivers?.rows !== undefined ? ` (on ${summary.drivers.rows} test rows` : ''}
              {summary.drivers?.scale ? `, ${summary.drivers.scale}` : ''}
              {summary.drivers?.rows !== undefined ? ')' : ''}
            </h3>
            <Table
              label="Drivers"
              rows={drivers}
              rowKey={(r) => r.column}
              columns={[
                { key: 'column', label: 'column', cell: (r) => r.column },
                { key: 'contribution', label: 'mean |contribution|', numeric: true, cell: (r) => num(r.meanAbsContribution ?? null) },
                { key: 'bar', label: '', cell: (r) => <span class="bar" style={{ width: `${(100 * Math.abs(r.meanAbsContribution ?? 0)) / topContribution}px` }} /> },
                { key: 'drop', label: `${summary.drivers?.metric ?? 'metric'} drop (shuffled)`, numeric: true, cell: (r) => (r.permutation ? `${num(r.permutation.drop)} ± ${num(r.permutation.sd, 2)}` : '—') },
              ]}
            />
          </section>
        )}
      </div>

      {(curveKinds.length > 0 || classRoc.length > 0) && (
        <section aria-label="Test curves">
          <h2>Curves on the test rows</h2>
          <div class="grid2">
            {curveKinds.map((k) => (
              <CurveChart key={k} kind={k} series={curveSeries[k]!} />
            ))}
            {classRoc.length > 0 && <CurveChart kind="roc" series={classRoc} />}
            {classPr.length > 0 && <CurveChart kind="pr" series={classPr} />}
          </div>
        </section>
      )}
    </>
  );
}

