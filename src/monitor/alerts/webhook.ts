import { DEFAULT_RETRY, judgeError, judgeStatus, KeyMemory, nextAttemptAt, sign, SIGNATURE_HEADER, type AttemptOutcome, type RetryPolicy, type WebhookStats } from './webhook-queue.js';

// Part of this module's API; they live in webhook-queue.ts only to keep each file small.
export { sign, SIGNATURE_HEADER, verifySignature, type RetryPolicy, type WebhookStats } from './webhook-queue.js';

/**
 * Alert delivery to webhooks (issue 21): a JSON body POSTed, signed with a shared secret, retried with
 * backoff, deduplicated, and never on the caller's path: `send` only queues, so a webhook that is slow
 * or down cannot slow serving or monitoring; a bounded queue and a bounded key memory keep its cost flat.
 *
 * What a receiver gets, per attempt:
 *   POST <url>, body JSON `{ ...notification, sentAt }` (sentAt: this attempt's ISO time)
 *   content-type: application/json
 *   x-hyperplane-event: firing | resolved
 *   x-hyperplane-delivery: <notification.key>   — the same on every retry: dedupe on it
 *   x-hyperplane-attempt: 1, 2, …
 *   x-hyperplane-signature: sha256=<hex>        — only when the webhook has a secret
 *
 * Verifying (as for GitHub's X-Hub-Signature-256): compute HMAC-SHA256 of the raw request body bytes,
 * as received and before any JSON parsing, keyed by the shared secret; hex it, prefix "sha256=", and
 * compare with the header in constant time (`verifySignature` below does exactly this). Answer 2xx once
 * stored; 408, 429 and 5xx are retried (Retry-After in seconds or as a date is honoured), other codes are not.
 */

export interface Webhook {
  name: string;
  url: string;
  /** Shared secret the body is signed with; without one the request is sent unsigned. */
  secret?: string;
}

export interface AlertNotification {
  /** Stable dedupe key: alert id + state, so a firing and its resolution are two deliveries, a re-send none. */
  key: string;
  event: 'firing' | 'resolved';
  alert: { id: string; model: string; version: number; rule: string; when: string; firedAt: string; resolvedAt?: string | null };
  evidence: Record<string, unknown>;
}

export interface WebhookSenderOptions {
  /** Per-attempt limit; a receiver that has not answered by then is counted as down for that attempt. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Notifications waiting (first try or retry, not in flight) before the oldest is dropped. */
  maxQueue?: number;
  /** Requests in flight at once, across all webhooks. */
  concurrency?: number;
  /** Delivered keys remembered for sender-side dedupe. */
  rememberKeys?: number;
  /** Told when a notification is given up on (rejected, out of attempts, or dropped), e.g. to log it. */
  onGiveUp?: (webhook: Webhook, notification: AlertNotification, reason: string) => void;
}

interface Job {
  id: string;
  webhook: Webhook;
  notification: AlertNotification;
  seq: number;
  createdAt: number;
  attempts: number;
  notBefore: number;
}

export class WebhookSender {
  private readonly timeoutMs: number;
  private readonly policy: RetryPolicy;
  private readonly maxQueue: number;
  private readonly concurrency: number;
  private readonly onGiveUp: WebhookSenderOptions['onGiveUp'];
  private readonly delivered: KeyMemory;
  /** Jobs not in flight, first tries and retries alike; bounded by maxQueue. */
  private readonly queue: Job[] = [];
  /** Ids queued or in flight, so a second `send` of the same key while the first is pending is a no-op. */
  private readonly pending = new Set<string>();
  private inFlight = 0;
  private seq = 0;
  private pumpScheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private idleWaiters: (() => void)[] = [];
  private readonly counts = { sent: 0, failed: 0, dropped: 0, duplicates: 0 };
  private lastError: string | null = null;

  constructor(options: WebhookSenderOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.policy = { ...DEFAULT_RETRY, ...options.retry };
    this.maxQueue = Math.max(1, options.maxQueue ?? 1000);
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.delivered = new KeyMemory(options.rememberKeys ?? 5000);
    this.onGiveUp = options.onGiveUp;
  }

  /**
   * Queues a notification and returns at once; nothing of the network runs before it returns (the pump
   * starts on a later turn of the event loop). The notification is serialized at each attempt, so it must
   * not be mutated after this call.
   */
  send(webhook: Webhook, notification: AlertNotification): void {
    const id = `${webhook.name}\u0000${webhook.url}\u0000${notification.key}`;
    if (this.delivered.has(id) || this.pending.has(id)) {
      this.counts.duplicates++;
      return;
    }
    if (this.queue.length >= this.maxQueue) this.dropOldest();
    const now = Date.now();
    this.queue.push({ id, webhook, notification, seq: this.seq++, createdAt: now, attempts: 0, notBefore: now });
    this.pending.add(id);
    this.schedulePump();
  }

  /** Resolves once nothing is queued or in flight, or after timeoutMs, whichever is first (for shutdown and tests). */
  drain(timeoutMs: number): Promise<void> {
    if (this.idle()) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        // Taken out on timeout too, so repeated drains of a sender that never empties do not pile up.
        this.idleWaiters = this.idleWaiters.filter((w) => w !== finish);
        resolve();
      };
      // Not unref'd: a process shutting down should wait for the drain it asked for.
      const timer = setTimeout(finish, timeoutMs);
      this.idleWaiters.push(finish);
    });
  }

  get stats(): WebhookStats {
    return {
      ...this.counts,
      retrying: this.queue.filter((j) => j.attempts > 0).length,
      queued: this.queue.length,
      inFlight: this.inFlight,
      lastError: this.lastError,
    };
  }

  private idle(): boolean {
    return this.queue.length === 0 && this.inFlight === 0;
  }

  /** Oldest by first `send`, retries included: under pressure the stalest news is the least worth keeping. */
  private dropOldest(): void {
    let oldest = 0;
    for (let i = 1; i < this.queue.length; i++) if (this.queue[i]!.seq < this.queue[oldest]!.seq) oldest = i;
    const [job] = this.queue.splice(oldest, 1);
    if (job === undefined) return;
    this.pending.delete(job.id);
    this.counts.dropped++;
    this.giveUp(job, 'dropped: queue full');
  }

  /** The hook is the caller's code: a throw from it must neither reach `send`'s caller nor stall the queue. */
  private giveUp(job: Job, reason: string): void {
    try {
      this.onGiveUp?.(job.webhook, job.notification, reason);
    } catch {
      // Nothing useful to do with it here; the counts still say what happened.
    }
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** Starts ready jobs up to the concurrency, oldest first, and sets one timer for the next job still waiting. */
  private pump(): void {
    const now = Date.now();
    while (this.inFlight < this.concurrency) {
      let pick = -1;
      for (let i = 0; i < this.queue.length; i++) {
        const job = this.queue[i]!;
        if (job.notBefore <= now && (pick < 0 || job.seq < this.queue[pick]!.seq)) pick = i;
      }
      if (pick < 0) break;
      const [job] = this.queue.splice(pick, 1);
      void this.attempt(job!);
    }
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.inFlight >= this.concurrency || this.queue.length === 0) return;
    const next = Math.min(...this.queue.map((j) => j.notBefore));
    // Unref'd: a backoff alone must not keep a process alive that has nothing else to do (drain holds it if asked).
    this.timer = setTimeout(() => this.pump(), Math.max(0, next - now));
    this.timer.unref();
  }

  private async attempt(job: Job): Promise<void> {
    this.inFlight++;
    job.attempts++;
    const outcome = await this.post(job);
    this.inFlight--;
    const now = Date.now();
    if (outcome.kind === 'delivered') {
      this.counts.sent++;
      this.pending.delete(job.id);
      this.delivered.add(job.id);
    } else {
      this.lastError = `${job.webhook.name}: ${outcome.kind === 'rejected' ? `HTTP ${outcome.status}` : outcome.reason}`;
      const at = outcome.kind === 'retry' ? nextAttemptAt(this.policy, job.attempts, outcome, job.createdAt, now) : undefined;
      if (at !== undefined) {
        job.notBefore = at;
        // A retry re-enters the bounded queue; if sends filled it meanwhile, the oldest (maybe this) goes.
        this.queue.push(job);
        if (this.queue.length > this.maxQueue) this.dropOldest();
      } else {
        this.counts.failed++;
        this.pending.delete(job.id);
        this.giveUp(job, `${this.lastError} after ${job.attempts} attempt(s)`);
      }
    }
    this.pump();
    if (this.idle()) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  private async post(job: Job): Promise<AttemptOutcome> {
    const { webhook, notification } = job;
    const body = JSON.stringify({ ...notification, sentAt: new Date().toISOString() });
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'hyperplane-webhook',
      'x-hyperplane-event': notification.event,
      'x-hyperplane-delivery': notification.key,
      'x-hyperplane-attempt': String(job.attempts),
    };
    if (webhook.secret !== undefined) headers[SIGNATURE_HEADER] = sign(webhook.secret, body);
    try {
      const response = await fetch(webhook.url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(this.timeoutMs) });
      // The answer's body is not read; cancelling it frees the connection for the next delivery.
      await response.body?.cancel().catch(() => undefined);
      return judgeStatus(response.status, response.headers.get('retry-after'), Date.now());
    } catch (error) {
      return judgeError(error, this.timeoutMs);
    }
  }
}
