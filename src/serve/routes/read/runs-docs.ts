import type { RouteDoc } from '../../api-docs.js';

/** The OpenAPI docs of the runs read routes ('GET /v1/...' → its doc), merged into ROUTE_DOCS. */
export const RUNS_READ_DOCS: Record<string, RouteDoc> = {};
