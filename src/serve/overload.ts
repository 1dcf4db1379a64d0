import underPressure from '@fastify/under-pressure';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ServeMetrics } from './metrics.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Health, readiness and metrics: answered however loaded the server is (a liveness probe that failed under load would get it restarted, and monitoring must see the overload). */
    unshed?: boolean;
  }
}

/** Seconds a refused client is told to wait (Retry-After). */
export const RETRY_AFTER_S = 1;

/** Route options for what is answered even under overload: out of the in-flight count, and under-pressure lets it through. */
export const UNSHED = { config: { unshed: true, pressureHandler: (): undefined => undefined } } as const;

export interface OverloadOptions {
  /** Past this mean event-loop delay (ms, default 1000; 0 turns the check off), or this many requests in flight (default 1024), answer 503. */
  maxEventLoopDelayMs?: number;
  maxInFlight?: number;
  /** Past this share (0–1) of the event loop's time busy, answer 503. */
  maxEventLoopUtilization?: number;
}

/** Overload answers 503 with Retry-After instead of letting latency grow without bound. */
export async function registerOverload(app: FastifyInstance, options: OverloadOptions, metrics: ServeMetrics): Promise<void> {
  const refuse = (reply: FastifyReply, reason: string, why: string): void => {
    metrics.overload(reason);
    void reply.code(503).header('retry-after', String(RETRY_AFTER_S)).send({ error: 'overloaded', message: `${why}: retry after ${RETRY_AFTER_S} s` });
  };
  await app.register(underPressure, {
    maxEventLoopDelay: options.maxEventLoopDelayMs ?? 1000,
    // Off unless set: a loop busy with one big batch reads as saturated, and every request would be refused meanwhile.
    // Sampled each second (under-pressure's default): with shorter windows, one that a long synchronous
    // task covers entirely has no sample, reads as infinite delay, and refuses everything for a window.
    ...(options.maxEventLoopUtilization !== undefined ? { maxEventLoopUtilization: options.maxEventLoopUtilization, sampleInterval: 100 } : {}),
    retryAfter: RETRY_AFTER_S,
    exposeStatusRoute: false,
    pressureHandler: (_request, reply, type, value) => refuse(reply, String(type), `the server is over its ${String(type)} limit (${String(value)})`),
  });
  const maxInFlight = options.maxInFlight ?? 1024;
  let inFlight = 0;
  const counted = new WeakSet<object>();
  // Hooks in callback style: an async hook costs a promise and a microtask turn on every request.
  app.addHook('onRequest', (request, reply, done) => {
    if (request.routeOptions.config.unshed === true) return done();
    if (inFlight >= maxInFlight) return refuse(reply, 'in flight', `${inFlight} requests in flight, the limit is ${maxInFlight}`);
    inFlight++;
    counted.add(request);
    done();
  });
  app.addHook('onResponse', (request, _reply, done) => {
    if (counted.has(request)) inFlight--;
    done();
  });
}
