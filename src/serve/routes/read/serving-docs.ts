import type { RouteDoc } from '../../api-docs.js';

/** The OpenAPI docs of the serving read routes ('GET /v1/...' → its doc), merged into ROUTE_DOCS. */
export const SERVING_READ_DOCS: Record<string, RouteDoc> = {};
