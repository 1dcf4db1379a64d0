import type { FastifyReply } from 'fastify';
import type { FieldProblem } from './validate.js';

/** One row's answer, in every protocol's terms. */
export interface Answer {
  id: string;
  prediction: string | number;
  probabilities?: Record<string, number>;
  notes?: string[];
}

export type Headers = Record<string, string | string[] | undefined>;

/** A 4xx/5xx body: what went wrong, and for bad rows each field's problem. */
export function fail(reply: FastifyReply, status: number, error: string, message: string, problems?: FieldProblem[]): FastifyReply {
  return reply.code(status).send({ error, message, ...(problems !== undefined ? { problems } : {}) });
}
