/** The runs read routes' limits, shared by the routes and their OpenAPI docs. */
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 10_000;
export const MAX_COMPARE = 50;
