import { num } from '../format';

export interface HeatmapData {
  columns: readonly string[];
  /** Each window's start (ISO). */
  windows: readonly string[];
  /** effect[c][w]: null where the column was not judged in that window. */
  effect: readonly (readonly (number | null)[])[];
  drifted: readonly (readonly boolean[])[];
}

/** 0 (no effect) to 1 (a large one): saturating, so one huge effect does not wash out the rest. */
function intensity(effect: number): number {
  const e = Math.max(0, effect);
  return e / (e + 0.15);
}

/** White to red, by effect. */
function background(effect: number): string {
  const t = intensity(effect);
  const mix = (from: number, to: number): number => Math.round(from + (to - from) * t);
  return `rgb(${mix(255, 220)}, ${mix(255, 38)}, ${mix(255, 38)})`;
}

/**
 * Drift per column (rows) and window (columns) as a table of colored cells: the color by the drift effect,
 * drifted cells outlined and marked. Every name and number is text (nothing from the data becomes markup).
 */
export function Heatmap({ data, label = 'Drift heatmap', windowLabel }: { data: HeatmapData; label?: string; windowLabel: (start: string) => string }) {
  return (
    <div class="table-wrap heatmap-wrap">
      <table class="heatmap" aria-label={label}>
        <thead>
          <tr>
            <th>column</th>
            {data.windows.map((w) => (
              <th key={w} class="window" title={w}>
                {windowLabel(w)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {data.columns.map((column, c) => (
            <tr key={column} data-column={column}>
              <th scope="row">{column}</th>
              {data.windows.map((w, i) => {
                const effect = data.effect[c]?.[i] ?? null;
                const drifted = data.drifted[c]?.[i] === true;
                const title = `${column}, window from ${windowLabel(w)}: ${effect === null ? 'not judged' : `effect ${num(effect)}`}${drifted ? ' (drifted)' : ''}`;
                return (
                  <td
                    key={w}
                    class={`cell${drifted ? ' drifted' : ''}${effect === null ? ' unjudged' : ''}`}
                    data-drifted={drifted ? 'true' : 'false'}
                    title={title}
                    aria-label={title}
                    style={effect === null ? undefined : { background: background(effect), color: intensity(effect) > 0.6 ? 'white' : undefined }}
                  >
                    {effect === null ? '·' : num(effect, 2)}
                    {drifted ? ' ●' : ''}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
