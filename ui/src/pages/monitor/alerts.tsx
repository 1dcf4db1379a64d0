import { num, when } from '../../format';
import { href } from '../../router';
import type { Alert } from './types';

/** An ISO time as the dashboard shows times. */
export const iso = (s: string): string => when(Date.parse(s));

export function StateBadge({ state }: { state: string }) {
  return <span class={`badge ${state === 'firing' ? 'bad' : state === 'resolved' ? 'good' : 'warn'}`}>{state}</span>;
}

export function AlertList({ alerts, showModel = false, empty }: { alerts: readonly Alert[]; showModel?: boolean; empty: string }) {
  if (alerts.length === 0) return <p class="muted">{empty}</p>;
  return (
    <div aria-label="Alerts" role="list">
      {alerts.map((a) => (
        <div key={a.id} class={`alert-card ${a.state}`} role="listitem" data-alert={a.id}>
          <header>
            <StateBadge state={a.state} />
            <strong>{a.rule}</strong>
            <code>{a.condition}</code>
            {showModel ? (
              <a href={href(['monitor', a.model])}>
                {a.model}
                {a.version !== null ? ` v${a.version}` : ''}
              </a>
            ) : a.version !== null ? (
              <span class="muted">version {a.version}</span>
            ) : null}
            <span class="muted">
              fired {when(a.firedAt)}
              {a.resolvedAt !== null ? `, resolved ${when(a.resolvedAt)}` : ''}
              {a.silencedUntil !== null ? `, silenced until ${when(a.silencedUntil)}` : ''}
            </span>
            <span class="muted mono">{a.id}</span>
          </header>
          {a.evidence !== null && a.evidence.windows.length > 0 ? (
            <table class="evidence" aria-label={`Evidence of ${a.id}`}>
              <thead>
                <tr>
                  <th>window</th>
                  <th>version</th>
                  <th class="num">{a.evidence.metric}</th>
                  <th class="num">threshold</th>
                  <th>breach</th>
                </tr>
              </thead>
              <tbody>
                {a.evidence.windows.map((w) => (
                  <tr key={`${w.version}:${w.start}`}>
                    <td>
                      {iso(w.start)} – {iso(w.end)}
                    </td>
                    <td>{w.version}</td>
                    <td class="num">{num(w.value)}</td>
                    <td class="num">
                      {a.evidence!.op} {num(a.evidence!.threshold)}
                    </td>
                    <td>{w.value === null ? '—' : breaches(w.value, a.evidence!.op, a.evidence!.threshold) ? <span class="badge bad">yes</span> : <span class="badge good">no</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p class="muted">No evidence recorded.</p>
          )}
        </div>
      ))}
    </div>
  );
}

function breaches(value: number, op: string, threshold: number): boolean {
  switch (op) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    default:
      return false;
  }
}

