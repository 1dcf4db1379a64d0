import type { FastifyReply } from 'fastify';
import type { Prediction } from '../pipeline/prediction.js';
import type { FieldProblem } from '../pipeline/validate-rows.js';

/** One row's answer, in every protocol's terms: the library's `Prediction` (the same fields) with the prediction's id. */
export interface Answer extends Prediction {
  id: string;
  /** A deployment's threshold (`abstainBelow`) was not reached: the answer is given, marked, with why. */
  abstained?: true;
  reason?: string;
}

export type Headers = Record<string, string | string[] | undefined>;

/** A 4xx/5xx body: what went wrong, and for bad rows each field's problem. */
export function fail(reply: FastifyReply, status: number, error: string, message: string, problems?: FieldProblem[]): FastifyReply {
  return reply.code(status).send({ error, message, ...(problems !== undefined ? { problems } : {}) });
}
