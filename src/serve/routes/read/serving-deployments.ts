import type { Deployment, JsonValue, Prediction, Store } from '../../../store/index.js';
import { policySpecOf, type PolicySpec } from '../../policies.js';
import { posteriors, type ArmPosterior } from './serving-posteriors.js';
import { modelOf } from './serving-query.js';

/** Windows a traffic chart may have (7d of 1m windows is 10,080). */
export const MAX_WINDOWS = 20_000;
/** Production answers a shadow comparison holds at once; beyond it the comparison says it is truncated. */
const MAX_COMPARED = 100_000;
const PAGE = 5_000;
/** How long after its answer a shadow's copy may be logged. */
const COPY_LAG_MS = 60_000;

/** A deployment as the list shows it: its policy and every reference it routes to. */
export function deploymentSummary(d: Deployment): { name: string; policy: JsonValue; updatedAt: number; refs: string[]; error?: string } {
  try {
    return { name: d.name, policy: d.policy, updatedAt: d.updatedAt, refs: refsOf(policySpecOf(d.name, d.policy)) };
  } catch (e) {
    // A policy this Hyperplane does not take is still listed, with why.
    return { name: d.name, policy: d.policy, updatedAt: d.updatedAt, refs: [], error: e instanceof Error ? e.message : String(e) };
  }
}

export function refsOf(spec: PolicySpec): string[] {
  switch (spec.kind) {
    case 'fixed':
      return [spec.ref];
    case 'split':
      return spec.arms.map((a) => a.ref);
    case 'shadow':
      return [spec.ref, spec.shadow];
    case 'bandit':
      return [...spec.arms];
  }
}

/** Requests per window and arm, as the log counts them; windows aligned to multiples of the window, empty ones filled with 0. */
export interface Traffic {
  windows: number[];
  arms: { arm: string; counts: number[] }[];
}

/**
 * Traffic the policy routed, per arm it has now (a shadow's copies as 'shadow'): the log keeps the arm, not
 * the deployment, so another deployment routing to the same reference is counted here too.
 */
export async function trafficOf(store: Store, spec: PolicySpec, since: number, until: number, windowMs: number): Promise<Traffic> {
  const first = Math.floor(since / windowMs) * windowMs;
  const windows: number[] = [];
  for (let t = first; t < until; t += windowMs) windows.push(t);
  const arms = spec.kind === 'shadow' ? [spec.ref, 'shadow'] : refsOf(spec);
  const byArm = new Map<string, number[]>(arms.map((arm) => [arm, windows.map(() => 0)]));
  for (const model of new Set(refsOf(spec).map(modelOf))) {
    for (const row of await store.predictions.countByWindow({ model, since, until }, windowMs, { byArm: true })) {
      const counts = byArm.get(row.arm ?? '');
      if (counts === undefined) continue;
      const at = Math.round((row.start - first) / windowMs);
      if (at >= 0 && at < counts.length) counts[at]! += row.rows;
    }
  }
  return { windows, arms: [...byArm].map(([arm, counts]) => ({ arm, counts })) };
}

/** How often the shadow's copy predicted what production answered. */
export interface ShadowAgreement {
  /** Shadow copies matched to production's answer for the same request. */
  compared: number;
  agreed: number;
  /** agreed / compared; null with nothing compared. */
  share: number | null;
  /** Shadow copies with no production answer found (outside the range, or the versions read different fields). */
  unmatched: number;
  /** More than MAX_COMPARED production answers in the range: only the first were compared. */
  truncated: boolean;
}

/**
 * A shadow copy is logged with arm 'shadow', the same X-Request-Id and the same row as the answer production
 * gave (its own prediction id): matched by both, each production answer used once, in time order.
 */
export async function shadowAgreement(store: Store, spec: Extract<PolicySpec, { kind: 'shadow' }>, since: number, until: number): Promise<ShadowAgreement> {
  const answers = new Map<string, string[]>();
  let held = 0;
  let truncated = false;
  // Truncated, the copies are read only up to a little after the last answer held (copies follow their answer within moments).
  let copiesUntil = until;
  for await (const p of pages(store, { model: modelOf(spec.ref), arm: spec.ref, since, until })) {
    if (held >= MAX_COMPARED) {
      truncated = true;
      break;
    }
    copiesUntil = Math.min(until, p.timestamp + COPY_LAG_MS);
    const key = requestKey(p);
    const list = answers.get(key) ?? [];
    list.push(predictionOf(p.response));
    answers.set(key, list);
    held++;
  }
  let compared = 0;
  let agreed = 0;
  let unmatched = 0;
  for await (const p of pages(store, { model: modelOf(spec.shadow), arm: 'shadow', since, until: truncated ? copiesUntil : until })) {
    const production = answers.get(requestKey(p))?.shift();
    if (production === undefined) {
      unmatched++;
      continue;
    }
    compared++;
    if (production === predictionOf(p.response)) agreed++;
  }
  return { compared, agreed, share: compared === 0 ? null : agreed / compared, unmatched, truncated };
}

async function* pages(store: Store, query: { model: string; arm: string; since: number; until: number }): AsyncGenerator<Prediction> {
  let cursor: string | undefined;
  do {
    const page = await store.predictions.list({ ...query, limit: PAGE, ...(cursor !== undefined ? { cursor } : {}) });
    yield* page.predictions;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}

const requestKey = (p: Prediction): string => `${p.requestId ?? ''}\n${canonical(p.request)}`;
const predictionOf = (response: JsonValue): string => canonical(typeof response === 'object' && response !== null && !Array.isArray(response) ? (response['prediction'] ?? null) : null);

/** JSON with object keys sorted: the same row logged by two versions compares equal whatever order it was encoded in. */
function canonical(value: JsonValue | undefined): string {
  if (value === null || value === undefined || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  return `{${Object.keys(value)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
    .join(',')}}`;
}

/** A bandit's posteriors from every reward so far: the state the policy routes by (it is not windowed). */
export async function banditPosteriors(store: Store, name: string, spec: Extract<PolicySpec, { kind: 'bandit' }>): Promise<ArmPosterior[]> {
  return posteriors(spec.arms, await store.feedback.rewards(name));
}
