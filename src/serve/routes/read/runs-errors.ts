import type { FastifyReply } from 'fastify';
import { HyperplaneError } from '../../../errors.js';
import { UnknownRunFieldError } from '../../../store/index.js';
import { RETRY_AFTER_S } from '../../overload.js';
import { fail } from '../../reply.js';

/** Bad input to a read route: the status, and the query or path field it names. */
export class ReadInputError extends Error {
  constructor(
    readonly status: 400 | 404,
    readonly field: string,
    readonly problem: string,
    readonly expected: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

export const badField = (field: string, problem: string, expected: string): ReadInputError => new ReadInputError(400, field, problem, expected);
export const missing = (field: string, problem: string, expected: string): ReadInputError => new ReadInputError(404, field, problem, expected);

/**
 * The store's own input errors restated to name the query field that gave them (as the CLI names its
 * flag): a cursor it did not hand out, a metric or tag no run has.
 */
export function namingTheField(e: unknown, fields: { where: readonly string[]; tag: readonly string[]; order?: string | undefined }): unknown {
  if (!(e instanceof HyperplaneError)) return e;
  if (e.location.field === 'cursor') return badField('cursor', e.reason, 'the nextCursor of the previous page, with the same order and filters');
  if (!(e instanceof UnknownRunFieldError)) return e;
  const field = e.kind === 'tag' ? 'tag' : fields.where.some((w) => w.slice(0, w.search(/[<>=!]/)).trim() === e.unknown) ? 'where' : fields.order !== undefined ? 'order' : 'where';
  return badField(field, e.reason, e.kind === 'tag' ? 'KEY=VALUE with a tag some run has' : 'a metric some run has');
}

/**
 * Answers a ReadInputError as the server's other 4xx do, and another input error as the server's 400.
 * Anything else is the store failing to answer (these routes only read it): logged, and worth a retry.
 */
export function answerError(reply: FastifyReply, e: unknown): FastifyReply {
  if (e instanceof ReadInputError) return fail(reply, e.status, e.status === 404 ? 'not found' : 'bad request', e.message, [{ field: e.field, problem: e.problem, expected: e.expected }]);
  if (e instanceof HyperplaneError) return fail(reply, 400, 'bad request', e.message);
  reply.log.error(e);
  void reply.header('retry-after', String(RETRY_AFTER_S));
  return fail(reply, 503, 'unavailable', `the model store could not be read (${e instanceof Error ? e.message : String(e)}): retry after ${RETRY_AFTER_S} s`);
}
