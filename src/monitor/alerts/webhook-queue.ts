import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The pieces of webhook delivery that involve no network: the signature, when to retry, how long to
 * wait, and a bounded memory of keys already delivered. Kept apart from the sender so the policy can be
 * read (and tested) on its own and webhook.ts stays about the queue and the HTTP.
 */

export const SIGNATURE_HEADER = 'x-hyperplane-signature';

/** `sha256=<hex HMAC-SHA256 of the raw body>`, GitHub's X-Hub-Signature-256 scheme, so receivers have code for it. */
export function sign(secret: string, body: string | Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** For receivers: is `header` the signature of this raw body under `secret`? Constant-time in the digest. */
export function verifySignature(secret: string, rawBody: string | Uint8Array, header: string | null | undefined): boolean {
  if (typeof header !== 'string') return false;
  const expected = Buffer.from(sign(secret, rawBody));
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** A WebhookSender's counts, for a health endpoint or a log line. */
export interface WebhookStats {
  /** Notifications delivered (a 2xx), each counted once however many attempts it took. */
  sent: number;
  /** Notifications given up on: a non-retryable answer, attempts or deadline exhausted. */
  failed: number;
  /** Notifications now waiting for a retry. */
  retrying: number;
  /** Notifications dropped from a full queue, never delivered. */
  dropped: number;
  /** `send` calls ignored because the key was delivered or is already on its way. */
  duplicates: number;
  queued: number;
  inFlight: number;
  lastError: string | null;
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Wait before the second attempt; doubled after each failure. */
  baseDelayMs: number;
  /** Longest wait between two attempts, whatever the doubling says. */
  maxDelayMs: number;
  /** Time from `send` after which no attempt is started: a notification hours late is noise, not news. */
  deadlineMs: number;
  /** Longest Retry-After obeyed; a receiver asking for more is given up on rather than held in the queue. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  deadlineMs: 10 * 60_000,
  maxRetryAfterMs: 5 * 60_000,
};

/** What an attempt came to, as the retry policy needs to know it. */
export type AttemptOutcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'rejected'; status: number }
  | { kind: 'retry'; reason: string; retryAfterMs?: number };

/**
 * An HTTP status judged: 2xx delivered; 408, 429 and 5xx may pass (the receiver is busy, restarting or
 * behind a proxy that is), so they are retried; any other 4xx means the request itself is wrong and
 * sending it again would get the same answer. 3xx is not followed (fetch's redirect: 'manual') and is
 * treated as wrong too: a webhook URL that moved is a configuration to fix, not a delivery to repeat.
 */
export function judgeStatus(status: number, retryAfter: string | null, nowMs: number): AttemptOutcome {
  if (status >= 200 && status < 300) return { kind: 'delivered', status };
  if (status === 408 || status === 429 || status >= 500) {
    const after = parseRetryAfter(retryAfter, nowMs);
    return after === undefined ? { kind: 'retry', reason: `HTTP ${status}` } : { kind: 'retry', reason: `HTTP ${status}`, retryAfterMs: after };
  }
  return { kind: 'rejected', status };
}

/**
 * A fetch that threw: timed out (AbortSignal.timeout) or a network error (refused, reset, DNS), all
 * retried since a receiver that is down now may be up in a minute. Node's fetch hides the cause
 * ("fetch failed"), so the cause's message is the one kept for stats and logs.
 */
export function judgeError(error: unknown, timeoutMs: number): AttemptOutcome {
  if (!(error instanceof Error)) return { kind: 'retry', reason: String(error) };
  if (error.name === 'TimeoutError') return { kind: 'retry', reason: `timed out after ${timeoutMs} ms` };
  return { kind: 'retry', reason: error.cause instanceof Error ? error.cause.message : error.message };
}

/** Retry-After as milliseconds from now: delay-seconds or an HTTP-date (RFC 9110 §10.2.3); undefined if absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isFinite(date) ? Math.max(0, date - nowMs) : undefined;
}

/**
 * The wait before attempt `attempt + 1` after `attempt` failed (attempt counts from 1): base · 2^(attempt−1),
 * capped, with "equal jitter" (half fixed, half random) so many senders that failed together do not come
 * back together, yet no wait is shorter than half the schedule's.
 */
export function backoffMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return step / 2 + (random() * step) / 2;
}

/**
 * When to try again after a failed attempt, or undefined to give up: out of attempts, past the deadline,
 * or asked by Retry-After to wait longer than we hold notifications. Retry-After, when given, replaces the
 * backoff (the receiver knows when it will be back better than our schedule does).
 */
export function nextAttemptAt(
  policy: RetryPolicy,
  attempt: number,
  outcome: { retryAfterMs?: number },
  createdAt: number,
  now: number,
  random?: () => number,
): number | undefined {
  if (attempt >= policy.maxAttempts) return undefined;
  let wait: number;
  if (outcome.retryAfterMs !== undefined) {
    if (outcome.retryAfterMs > policy.maxRetryAfterMs) return undefined;
    wait = outcome.retryAfterMs;
  } else {
    wait = backoffMs(policy, attempt, random);
  }
  const at = now + wait;
  return at - createdAt > policy.deadlineMs ? undefined : at;
}

/**
 * A set of the last `capacity` keys, oldest forgotten first (a Map keeps insertion order). Sender-side
 * dedupe only has to cover a re-evaluation that sends the same alert state again within minutes; the
 * receiver dedupes for good on x-hyperplane-delivery, so forgetting old keys is safe and memory stays flat.
 */
export class KeyMemory {
  private readonly keys = new Map<string, true>();

  constructor(private readonly capacity: number) {}

  has(key: string): boolean {
    return this.keys.has(key);
  }

  add(key: string): void {
    this.keys.delete(key);
    this.keys.set(key, true);
    while (this.keys.size > this.capacity) {
      const oldest = this.keys.keys().next();
      if (oldest.done === true) break;
      this.keys.delete(oldest.value);
    }
  }

  get size(): number {
    return this.keys.size;
  }
}
