// Generated from the server's OpenAPI document by scripts/api-docs.mjs (openapi-typescript): do not edit.
// Run `npm run build && npm run api-docs` after changing a route or its schema.

export interface paths {
    "/v1/models/{model}/predict": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Predict with a model, an alias or a deployment
         * @description `model` is `NAME` (its deployment policy if it has one, else `NAME@production`) or `NAME@ALIAS`. Answers `{id, prediction, probabilities, model, version, arm?, notes?, ms}` for one row, or `{model, version, predictions: [...], ms}` for `{rows}`. `id` is the prediction id to send feedback with. A scorecard model's answers (each row of a batch too) always carry `score` (its integer score, the sum of the points), `points: [{characteristic, attribute, points}]` and `reasons: [{characteristic, attribute, pointsLost}]` (up to four adverse-action reason codes, the most points lost first), logged with the answer. `?explain=3` adds each row `explanation: {class, scale, base, margin, contributions: [{column, value, contribution, share, probabilityChange}]}`, logged with the answer. For a deployment with `abstainBelow` (a classifier), a row whose predicted class's probability is below it is answered as usual plus `abstained: true` and `reason`, logged with the answer. `X-Request-Key` makes a split sticky; `X-Request-Id` is logged with the prediction.
         */
        post: {
            parameters: {
                query?: {
                    /** @description Add each row's explanation: the top K columns by |contribution| to the margin, or all of them (linear, logistic, gbdt and forest models; a baseline gives its base only; a rules model the rule that fired) */
                    explain?: string;
                    /** @description With explain: path-dependent TreeSHAP (the default), or interventional, against the package's background training rows */
                    method?: "path-dependent" | "interventional";
                };
                header?: never;
                path: {
                    model: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["PredictRequest"];
                };
            };
            responses: {
                /** @description Predictions */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["PredictAnswer"];
                    };
                };
                /** @description Invalid input: `{error, message, problems: [{field, problem, expected, row?}]}`; or an explain the model cannot give */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No API key, or an unknown, revoked or expired one (once any key has been made) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The key lacks the route's scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No such model, alias or version */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Body or row count over the limit */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The server could not answer; it is logged */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Overloaded, or the model store could not be read (with Retry-After) */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{model}/versions/{version}/predict": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Predict with one version
         * @description As the route above, with the version fixed.
         */
        post: {
            parameters: {
                query?: {
                    /** @description Add each row's explanation: the top K columns by |contribution| to the margin, or all of them (linear, logistic, gbdt and forest models; a baseline gives its base only; a rules model the rule that fired) */
                    explain?: string;
                    /** @description With explain: path-dependent TreeSHAP (the default), or interventional, against the package's background training rows */
                    method?: "path-dependent" | "interventional";
                };
                header?: never;
                path: {
                    model: string;
                    version: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["PredictRequest"];
                };
            };
            responses: {
                /** @description Predictions */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["PredictAnswer"];
                    };
                };
                /** @description Invalid input: `{error, message, problems: [{field, problem, expected, row?}]}` */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No API key, or an unknown, revoked or expired one (once any key has been made) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The key lacks the route's scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No such version */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Body or row count over the limit */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The server could not answer; it is logged */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Overloaded, or the model store could not be read (with Retry-After) */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{model}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A model's input and output schema
         * @description `model` as for predict (`NAME`, `NAME@ALIAS`; a deployment answers its first arm). Answers `{name, version, inputs: [{name, type}], output: {name, task, labels?}, input_schema}`: the signature v2 metadata gives as tensors, and one row as a JSON Schema. Only for what this server serves.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    model: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The schema */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ModelSchema"];
                    };
                };
                /** @description No API key, or an unknown, revoked or expired one (once any key has been made) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The key lacks the route's scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not served here */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The server could not answer; it is logged */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{model}/versions/{version}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One version's input and output schema
         * @description As the route above, with the version fixed.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    model: string;
                    version: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The schema */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ModelSchema"];
                    };
                };
                /** @description Not a version number */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No API key, or an unknown, revoked or expired one (once any key has been made) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The key lacks the route's scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not served here */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The server could not answer; it is logged */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/health/live": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Open Inference Protocol: live
         * @description The process answers.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description `{live: true}` */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Live"];
                    };
                };
                /** @description The server could not answer; it is logged */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/health/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Open Inference Protocol: ready
         * @description Every served model is loaded.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Ready */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Ready"];
                    };
                };
                /** @description The server could not answer; it is logged */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not yet */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/models/{model}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Open Inference Protocol: model metadata
         * @description Name, version, and the input and output tensors.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    model: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Metadata */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ModelMetadata"];
                    };
                };
                /** @description No such model */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The server could not answer; it is logged */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/models/{model}/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Open Inference Protocol: model ready
         * @description 200 when the model is loaded.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    model: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Ready */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ModelReady"];
                    };
                };
                /** @description Not loaded */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The server could not answer; it is logged */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/models/{model}/infer": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Open Inference Protocol: infer
         * @description KServe v2 / Triton / MLServer requests: one tensor per input column (shape `[n]`), or one `[n, d]` tensor with the columns in the order of the model metadata. Outputs `prediction`, `probabilities` (`[n, k]`) and `prediction_id`; through a deployment with `abstainBelow`, also `abstained` (`[n]`, BOOL).
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    model: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["InferRequest"];
                };
            };
            responses: {
                /** @description Output tensors */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["InferResponse"];
                    };
                };
                /** @description Invalid input: `{error, message, problems: [{field, problem, expected, row?}]}` */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No API key, or an unknown, revoked or expired one (once any key has been made) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The key lacks the route's scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No such model */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The server could not answer; it is logged */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/models/{model}/versions/{version}/infer": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Open Inference Protocol: infer with one version
         * @description As above, with the version fixed.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    model: string;
                    version: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["InferRequest"];
                };
            };
            responses: {
                /** @description Output tensors */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["InferResponse"];
                    };
                };
                /** @description Invalid input: `{error, message, problems: [{field, problem, expected, row?}]}` */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No API key, or an unknown, revoked or expired one (once any key has been made) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The key lacks the route's scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The server could not answer; it is logged */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/invocations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * MLflow's scoring route
         * @description `{dataframe_split: {columns, data}}` or `{dataframe_records: [...]}`; answers `{predictions: [...]}`. Serves the one model the server serves, or `?model=NAME`.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["MlflowRequest"];
                };
            };
            responses: {
                /** @description Predictions */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["MlflowResponse"];
                    };
                };
                /** @description Invalid input: `{error, message, problems: [{field, problem, expected, row?}]}` */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No API key, or an unknown, revoked or expired one (once any key has been made) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The key lacks the route's scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The server could not answer; it is logged */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/experiments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Experiments
         * @description Every experiment with the number of runs it holds: `{experiments: [{id, name, createdAt, runs}]}`.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The experiments */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            experiments: {
                                id: string;
                                name: string;
                                /** @description Epoch milliseconds */
                                createdAt: number;
                                runs: number;
                            }[];
                        };
                    };
                };
                /** @description A query parameter (this route takes none) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No API key, or an unknown, revoked or expired one (once any key has been made) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The key lacks the 'read' scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The server could not answer; it is logged */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The model store could not be read */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Runs: filtered, sorted and paged on the server
         * @description As `hyperplane runs list`: newest first unless `order` says otherwise; `where` and `tag` repeat and all must hold. Answers `{runs, nextCursor, total}`: `nextCursor` (null on the last page) gives the next page with the same parameters, and pages stay stable while runs are added; `total` is how many runs the filters match. Each run has its latest metrics (or only the `columns` chosen) and tags; params only as `columns=params.NAME`. A `where`, `tag` or `order` naming a metric or tag no run has is a 400 listing the known ones. Data is returned as data: names are not escaped.
         */
        get: {
            parameters: {
                query?: {
                    /** @description Only this experiment (by name) */
                    experiment?: string;
                    /** @description Only the runs under this run (a search's trials): its id or a unique prefix of 6+ characters */
                    parent?: string;
                    /** @description Only these statuses, comma-separated: running, finished, failed, killed */
                    status?: string;
                    /** @description A metric condition on the latest value, e.g. `auc > 0.9` (repeatable; operators >= <= != > < =) */
                    where?: string[];
                    /** @description KEY=VALUE (repeatable) */
                    tag?: string[];
                    /** @description `start` or a metric name; a leading '-' sorts descending (`-auc`: best AUC first). Runs without the metric come last. */
                    order?: string;
                    /** @description Runs per page */
                    limit?: number;
                    /** @description The `nextCursor` of the previous page */
                    cursor?: string;
                    /** @description Comma-separated metric names and `params.NAME`: the metrics and params each run carries (default: every metric, no params) */
                    columns?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description One page of runs */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            runs: {
                                id: string;
                                experimentId: string;
                                experiment?: string | null;
                                name: string;
                                /** @enum {string} */
                                status: "running" | "finished" | "failed" | "killed";
                                /** @description Epoch milliseconds */
                                startTime: number;
                                /** @description Epoch milliseconds */
                                endTime: number | null;
                                metrics: {
                                    [key: string]: number | null;
                                };
                                tags: {
                                    [key: string]: string;
                                };
                                params?: {
                                    [key: string]: unknown;
                                };
                            }[];
                            nextCursor: string | null;
                            total: number;
                        };
                    };
                };
                /** @description Invalid input: `{error, message, problems: [{field, problem, expected}]}` naming the parameter: a bad where, tag, order, status, limit (1 to 10000) or cursor, an unknown parameter */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No API key, or an unknown, revoked or expired one (once any key has been made) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The key lacks the 'read' scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No such experiment, or no such parent run */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The server could not answer; it is logged */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The model store could not be read */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/runs/compare": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Compare runs
         * @description `ids=a,b,c`: 2 to 50 runs (ids or unique prefixes of 6+ characters). For each param, latest metric, tag and data input (`role source`: fingerprint and rows), and status, git commit, seed and Node version: the values in the order of `runs` (null where a run has none) and `differ`. `differ.params`/`differ.metrics` list the names that differ. Overlay curves from each run's `/v1/runs/{id}/metrics/{name}`.
         */
        get: {
            parameters: {
                query: {
                    /** @description Run ids, comma-separated */
                    ids: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The runs, field by field */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            runs: {
                                id: string;
                                name: string;
                                experiment: string | null;
                                status: string;
                                /** @description Epoch milliseconds */
                                startTime: number;
                                /** @description Epoch milliseconds */
                                endTime: number | null;
                            }[];
                            params: {
                                name: string;
                                values: unknown[];
                                differ: boolean;
                            }[];
                            metrics: {
                                name: string;
                                values: unknown[];
                                differ: boolean;
                            }[];
                            tags: {
                                name: string;
                                values: unknown[];
                                differ: boolean;
                            }[];
                            data: {
                                name: string;
                                values: unknown[];
                                differ: boolean;
                            }[];
                            other: {
                                name: string;
                                values: unknown[];
                                differ: boolean;
                            }[];
                            differ: {
                                params: string[];
                                metrics: string[];
                            };
                        };
                    };
                };
                /** @description Invalid input: `{error, message, problems: [{field, problem, expected}]}` naming the parameter: fewer than 2 or more than 50 ids, an ambiguous prefix */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No API key, or an unknown, revoked or expired one (once any key has been made) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The key lacks the 'read' scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description A run that does not exist (named) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The server could not answer; it is logged */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The model store could not be read */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/runs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One run
         * @description Everything recorded about a run (id or unique prefix of 6+ characters): experiment, status, times, params, tags, latest metrics, data inputs with their fingerprints, git, environment, owner, warnings, seed, config and parent run (`parentId`, null for a top-level run); its lab notebook `notes` `[{text, author, time}]`, oldest first; its artifacts `[{name, sha256, size, file, contentType, url, error?}]` (url downloads it); and `summary`, the contents of its `summary` artifact (train's summary.json: leaderboard, importance, evaluation, fit, test and train metrics, diagnostics), or null.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The run */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            experiment?: string | null;
                            params: {
                                [key: string]: unknown;
                            };
                            metrics: {
                                [key: string]: number | null;
                            };
                            artifacts: {
                                name: string;
                                sha256: string;
                                size: number | null;
                                file: string;
                                contentType: string;
                                url: string;
                            }[];
                            notes: {
                                text: string;
                                author: string;
                                /** @description Epoch milliseconds */
                                time: number;
                            }[];
                            summary: Record<string, never> | null;
                        };
                    };
                };
                /** @description Invalid input: `{error, message, problems: [{field, problem, expected}]}` naming the parameter: an ambiguous prefix */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No API key, or an unknown, revoked or expired one (once any key has been made) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The key lacks the 'read' scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No such run */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The server could not answer; it is logged */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The model store could not be read */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/runs/{id}/metrics/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A metric's history
         * @description Every value logged for the metric, by step then time: `{runId, name, points: [{step, value, timestamp}]}` (value null for NaN). The curves of the Run page.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The history */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            runId: string;
                            name: string;
                            points: {
                                step: number;
                                /** @description null for NaN */
                                value: number | null;
                                /** @description Epoch milliseconds */
                                timestamp: number;
                            }[];
                        };
                    };
                };
                /** @description No API key, or an unknown, revoked or expired one (once any key has been made) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The key lacks the 'read' scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No such run, or the run has no such metric (its metrics listed) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The server could not answer; it is logged */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The model store could not be read */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/runs/{id}/artifacts/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download a run's artifact
         * @description The artifact's bytes as an attachment: `model` as model.hpkg, `summary` as summary.json, `report` as report.html; other names by their extension (application/octet-stream otherwise).
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The bytes */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/octet-stream": string;
                    };
                };
                /** @description No API key, or an unknown, revoked or expired one (once any key has been made) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The key lacks the 'read' scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No such run, the run has no such artifact (its artifacts listed), or the artifact's bytes are gone from the store */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The server could not answer; it is logged */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The model store could not be read */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/registry/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Registered models
         * @description Each model: `{name, description, createdAt, updatedAt, versions, latestVersion, aliases}`; `versions` is how many it has now, `aliases` maps each alias to its version.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The models */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            models: {
                                name: string;
                                description: string | null;
                                /** @description Epoch milliseconds */
                                createdAt: number;
                                /** @description Epoch milliseconds */
                                updatedAt: number;
                                versions: number;
                                latestVersion: number | null;
                                aliases: {
                                    [key: string]: number;
                                };
                            }[];
                        };
                    };
                };
                /** @description A query parameter (this route takes none) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No API key, or an unknown, revoked or expired one (once any key has been made) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The key lacks the 'read' scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The server could not answer; it is logged */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The model store could not be read */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/registry/models/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One model: versions and aliases
         * @description Its versions newest first `[{version, runId, artifact, metrics, fingerprint, description, createdAt, aliases}]`, its aliases, and `aliasHistory`: every alias move oldest first `{alias, from, to, at, actor}` (from null: created; to null: deleted; actor from the audit trail, null where it has none).
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The model */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            name: string;
                            description: string | null;
                            /** @description Epoch milliseconds */
                            createdAt: number;
                            /** @description Epoch milliseconds */
                            updatedAt: number;
                            latestVersion: number | null;
                            aliases: {
                                [key: string]: number;
                            };
                            versions: {
                                version: number;
                                runId: string | null;
                                artifact: string;
                                metrics: {
                                    [key: string]: number | null;
                                };
                                fingerprint: string | null;
                                description: string | null;
                                /** @description Epoch milliseconds */
                                createdAt: number;
                                aliases: string[];
                            }[];
                            aliasHistory: {
                                model: string;
                                alias: string;
                                from: number | null;
                                to: number | null;
                                /** @description Epoch milliseconds */
                                at: number;
                                actor: string | null;
                            }[];
                        };
                    };
                };
                /** @description No API key, or an unknown, revoked or expired one (once any key has been made) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The key lacks the 'read' scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No such model */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The server could not answer; it is logged */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The model store could not be read */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/deployments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Deployments and their traffic policies
         * @description `{deployments: [{name, policy, updatedAt, refs}]}`: each stored deployment, its policy (`fixed`, `split`, `shadow` or `bandit`) and every model reference it routes to, by name.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The deployments */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            deployments: {
                                name: string;
                                /** @description Any JSON value */
                                policy: unknown;
                                updatedAt: number;
                                refs: string[];
                                /** @description Set when the stored policy is not one this Hyperplane takes (the rest of the detail is then left out) */
                                error?: string;
                            }[];
                        };
                    };
                };
                /** @description A parameter it does not take, or a malformed one: `{error, message}`, the message naming the field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No API key, or an unknown, revoked or expired one (once any key has been made) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The key lacks the `read` scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The server could not answer; it is logged */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/deployments/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One deployment: policy, traffic per arm, shadow agreement, bandit posteriors
         * @description The policy with `traffic: {windows: [start ms], arms: [{arm, counts}]}`: the log's predictions per window for each arm of the policy now, a shadow's copies as `shadow` (windows aligned to multiples of `window`, empty ones 0; direct requests to a version carry no arm and are left out; the log keeps the arm, not the deployment, so two deployments routing to the same reference share its counts). A shadow policy adds `shadow: {compared, agreed, share, unmatched, truncated}`: of the shadow's copies in the range (logged with arm `shadow`), how many predicted what production answered for the same request (matched by X-Request-Id and the row read; each production answer once; at most 100,000 production answers are compared). A bandit adds `posteriors: [{arm, successes, failures, alpha, beta, mean, interval}]`: Beta(1 + successes, 1 + failures) per arm from every reward so far — what the policy routes by, not windowed — with its central 90% interval.
         */
        get: {
            parameters: {
                query?: {
                    /** @description From (7d by default): a duration ago (7d, 12h, 30m), a UTC date (2027-01-31, 2027-01-31T12:00Z) or epoch milliseconds */
                    since?: string;
                    /** @description To (now by default): a duration ago (7d, 12h, 30m), a UTC date (2027-01-31, 2027-01-31T12:00Z) or epoch milliseconds */
                    until?: string;
                    /** @description Window length: 1h by default; a minute or more (30m, 1h, 1d) */
                    window?: string;
                };
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The deployment */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            name: string;
                            /** @description Any JSON value */
                            policy: unknown;
                            updatedAt: number;
                            refs: string[];
                            /** @description Set when the stored policy is not one this Hyperplane takes (the rest of the detail is then left out) */
                            error?: string;
                            since: number;
                            until: number;
                            windowMs: number;
                            traffic?: {
                                windows: number[];
                                arms: {
                                    arm: string;
                                    counts: number[];
                                }[];
                            };
                            shadow?: {
                                compared: number;
                                agreed: number;
                                share: number | null;
                                unmatched: number;
                                truncated: boolean;
                            };
                            posteriors?: {
                                arm: string;
                                successes: number;
                                failures: number;
                                alpha: number;
                                beta: number;
                                mean: number;
                                interval: number[];
                            }[];
                        };
                    };
                };
                /** @description A parameter it does not take, or a malformed one: `{error, message}`, the message naming the field; until not after since, or over 20,000 windows */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No API key, or an unknown, revoked or expired one (once any key has been made) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The key lacks the `read` scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No such deployment */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The server could not answer; it is logged */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/predictions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Search the prediction log
         * @description Logged predictions, oldest first, each `{id, model, version, arm, requestId, timestamp, latencyMs, input, output, explanation, feedback}`: `input` is the row as the model read it, `output` the logged answer (prediction, probabilities, a scorecard's points and reasons, and `explanation` when `?explain=` asked for one), `feedback` the latest outcome sent back (or null). Filters: `model`, `version`, `arm` (as logged: `credit/3`, `credit@production`, `shadow`), `since` and `until`, `labelled=true` (only those with feedback). `limit` (100 by default, at most 10,000); `nextCursor` is given while more follow: pass it as `cursor`. The server ships its journal to the store every ~2 s, so a prediction just answered appears within a few seconds.
         */
        get: {
            parameters: {
                query?: {
                    model?: string;
                    version?: number;
                    arm?: string;
                    /** @description From: a duration ago (7d, 12h, 30m), a UTC date (2027-01-31, 2027-01-31T12:00Z) or epoch milliseconds */
                    since?: string;
                    /** @description Before: a duration ago (7d, 12h, 30m), a UTC date (2027-01-31, 2027-01-31T12:00Z) or epoch milliseconds */
                    until?: string;
                    labelled?: "true" | "false";
                    limit?: number;
                    /** @description The previous page’s nextCursor */
                    cursor?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A page of predictions */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            predictions: {
                                id: string;
                                model: string;
                                version: number;
                                arm: string | null;
                                requestId: string | null;
                                timestamp: number;
                                latencyMs: number;
                                /** @description Any JSON value */
                                input: unknown;
                                /** @description Any JSON value */
                                output: unknown;
                                /** @description Any JSON value */
                                explanation: unknown;
                                feedback: {
                                    id: number;
                                    /** @description Any JSON value */
                                    outcome: unknown;
                                    reward: number | null;
                                    timestamp: number;
                                } | null;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description A parameter it does not take, or a malformed one: `{error, message}`, the message naming the field; or a cursor this store did not hand out */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No API key, or an unknown, revoked or expired one (once any key has been made) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The key lacks the `read` scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The server could not answer; it is logged */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/predictions/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One prediction: input, output, explanation and feedback
         * @description As a search result, with `feedbackHistory`: every outcome sent back for it, oldest first (`feedback` is the latest). A prediction answered in the last ~2 s may still be in the server’s journal, not yet in the store: its 404 says so; retry shortly.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The prediction */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            model: string;
                            version: number;
                            arm: string | null;
                            requestId: string | null;
                            timestamp: number;
                            latencyMs: number;
                            /** @description Any JSON value */
                            input: unknown;
                            /** @description Any JSON value */
                            output: unknown;
                            /** @description Any JSON value */
                            explanation: unknown;
                            feedback: {
                                id: number;
                                /** @description Any JSON value */
                                outcome: unknown;
                                reward: number | null;
                                timestamp: number;
                            } | null;
                            feedbackHistory: {
                                id: number;
                                /** @description Any JSON value */
                                outcome: unknown;
                                reward: number | null;
                                timestamp: number;
                            }[];
                        };
                    };
                };
                /** @description A parameter it does not take, or a malformed one: `{error, message}`, the message naming the field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No API key, or an unknown, revoked or expired one (once any key has been made) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The key lacks the `read` scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No prediction with that id (the message names it) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The server could not answer; it is logged */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/monitor/{model}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A model version's monitoring report, with a drift heatmap
         * @description The report `hyperplane monitor --json` prints — drift per column and window against the training reference, realized quality (from feedback) and estimated quality (CBPE) per window, quality per arm, data quality, multivariate drift — plus `heatmap: {columns, windows, effect, drifted}` (`effect[c][w]`: column `c`'s drift effect in window `w`, null where not judged), so a page draws it without reshaping. `model` is `NAME` (its production alias, else its latest version) or `NAME@ALIAS`; `?version=N` picks a version. Reading never evaluates alert rules: `alerts` is empty (see /v1/alerts). The report is computed on the serving thread, so `since` reaches at most 90 days back.
         */
        get: {
            parameters: {
                query?: {
                    /** @description From (7d by default; at most 90d back): a duration ago (7d, 12h, 30m), a UTC date (2027-01-31, 2027-01-31T12:00Z) or epoch milliseconds */
                    since?: string;
                    /** @description Window length: 1h by default; a minute or more (30m, 1h, 1d) */
                    window?: string;
                    version?: number;
                };
                header?: never;
                path: {
                    model: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The report */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            model: string;
                            version: number;
                            since: string;
                            windowMs: number;
                            rows: number;
                            windows: Record<string, never>[];
                            columns: Record<string, never>[];
                            alerts?: Record<string, never>[];
                            heatmap: {
                                columns: string[];
                                windows: string[];
                                effect: (number | null)[][];
                                drifted: boolean[][];
                            };
                        };
                    };
                };
                /** @description A parameter it does not take, or a malformed one: `{error, message}`, the message naming the field; since over 90 days back */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No API key, or an unknown, revoked or expired one (once any key has been made) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The key lacks the `read` scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No such model, alias or version */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The version has no monitoring reference and none can be rebuilt (the reason is given) */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The server could not answer; it is logged */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/alerts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Alerts with their evidence
         * @description `{alerts: [{id, model, version, rule, condition, state, firedAt, resolvedAt, updatedAt, silencedUntil, webhook, evidence: {metric, op, threshold, windows: [{version, start, end, value}]}}]}`, newest first: the firing ones, or every one with `all=true`; `model` narrows to a model; `limit` at most 10,000.
         */
        get: {
            parameters: {
                query?: {
                    model?: string;
                    all?: "true" | "false";
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The alerts */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            alerts: {
                                id: string;
                                model: string;
                                version: number;
                                rule: string;
                                condition?: string;
                                /** @enum {string} */
                                state: "firing" | "resolved";
                                firedAt: number;
                                resolvedAt?: number | null;
                                evidence: {
                                    metric: string;
                                    op: string;
                                    threshold: number;
                                    windows: Record<string, never>[];
                                };
                            }[];
                        };
                    };
                };
                /** @description A parameter it does not take, or a malformed one: `{error, message}`, the message naming the field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No API key, or an unknown, revoked or expired one (once any key has been made) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The key lacks the `read` scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The server could not answer; it is logged */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/feedback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * The true outcome of predictions
         * @description `{id, outcome}`, a list of at most 1000, or `{feedback: [...]}`. `outcome` is the true label or value (at most 4096 bytes as JSON), or `{reward: 0..1}`; a label is scored against the logged prediction as a reward, which bandit deployments learn from. Each item is answered `accepted`, `unknown id` or `invalid` with why; the same (id, outcome) again adds nothing.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["FeedbackRequest"];
                };
            };
            responses: {
                /** @description `{accepted: n, results: [{status, field?, problem?}]}`, one result per item */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["FeedbackAnswer"];
                    };
                };
                /** @description No item accepted, one invalid: each problem listed */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No API key, or an unknown, revoked or expired one (once any key has been made) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The key lacks the route's scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No item accepted: every id unknown */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Over 1000 items */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The server could not answer; it is logged */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/registry/models/{name}/aliases/{alias}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Move an alias (or roll it back)
         * @description Body `{version, expect?}`: points `NAME@ALIAS` at `version` (creating the alias if new). `expect` is the version the alias pointed at when the change was confirmed (null: nowhere); if it has moved since, nothing changes (409). The version must load and score a row here first, so a broken version never replaces the one serving. Answers the move `{model, alias, from, to, at}`; audited as `alias.set` with `key:<key name>`.
         */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                    alias: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["AliasMoveRequest"];
                };
            };
            responses: {
                /** @description The move */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AliasMove"];
                    };
                };
                /** @description Not a version, an unknown field, or a version that does not load here: nothing changes */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No API key, or an unknown, revoked or expired one (once any key has been made) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The key lacks the route's scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No such model or version */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The alias moved since `expect`: nothing changes */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The server could not answer; it is logged */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Overloaded, or the model store could not be read (with Retry-After) */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/reload": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Reload now
         * @description Re-reads aliases, deployments and keys, as the poll does every 2 s.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Each served reference's version and error */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ReloadAnswer"];
                    };
                };
                /** @description No API key, or an unknown, revoked or expired one (once any key has been made) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The key lacks the route's scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The server could not answer; it is logged */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/deployments/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Set a deployment's traffic policy
         * @description Body `{policy}`, checked by the schema `hyperplane deploy` uses: `{kind: "fixed", ref}`, `{kind: "split", arms: [{ref, weight}]}` (weights above 0, at most 1,000,000), `{kind: "shadow", ref, shadow}` or `{kind: "bandit", arms: [versions]}`, each with an optional `abstainBelow` (0 < p ≤ 1: classifiers only; a regression version is refused); refs are `name@alias` or `name/N` and must resolve, and every version must load before the deployment is stored.
         */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["DeploymentRequest"];
                };
            };
            responses: {
                /** @description The deployment */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["DeploymentAnswer"];
                    };
                };
                /** @description Not a policy, a ref that does not resolve or load, or a bad name: the field is named and nothing changes */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No API key, or an unknown, revoked or expired one (once any key has been made) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The key lacks the route's scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The server could not answer; it is logged */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Overloaded, or the model store could not be read (with Retry-After) */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The audit trail
         * @description Who moved an alias, deleted a version or model, changed a deployment, or made, revoked or deleted a key: `{entries: [{id, at, actor, action, target, before, after}]}`, newest first. The CLI records `cli:<os user>`, the server `key:<key name>`. Filters: `actor`, `action` (e.g. `alias.set`), `target`, `since` and `until` (epoch ms), `before` (the last id of the previous page), `limit` (100 by default, at most 10,000).
         */
        get: {
            parameters: {
                query?: {
                    actor?: string;
                    action?: string;
                    target?: string;
                    since?: string;
                    until?: string;
                    before?: string;
                    limit?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The entries */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AuditAnswer"];
                    };
                };
                /** @description An unknown parameter or a malformed number */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No API key, or an unknown, revoked or expired one (once any key has been made) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The key lacks the route's scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The server could not answer; it is logged */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Liveness
         * @description The process answers.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description `{status: "ok"}` */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Health"];
                    };
                };
                /** @description The server could not answer; it is logged */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Readiness
         * @description `{ready}` for anyone (the same readiness as `/v2/health/ready`). With an admin key, also every served reference with its version, load time and last reload error (the previous version keeps serving), deployments that failed to load, and the prediction log's state.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Ready */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Readiness"];
                    };
                };
                /** @description The server could not answer; it is logged */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description A model is not loaded */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Prometheus metrics
         * @description Requests, latency histograms and rows by route, model and version; overload refusals.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Prometheus text */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/plain": components["schemas"]["Metrics"];
                    };
                };
                /** @description The server could not answer; it is logged */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @description One row: field name → value (number, string, boolean or null). A missing field is predicted as missing. */
        Row: {
            [key: string]: unknown;
        };
        PredictRequest: components["schemas"]["Row"] | {
            rows: components["schemas"]["Row"][];
        };
        Prediction: {
            /** @description The prediction id: send feedback with it */
            id: string;
            /** @description The class label, or the value */
            prediction: (string | null) | number;
            /** @description Class label → probability (classification only) */
            probabilities?: {
                [key: string]: number;
            };
            /** @description true when the predicted class's probability is below the deployment's `abstainBelow` threshold: the prediction and probabilities are still given; absent otherwise */
            abstained?: boolean;
            /** @description Why the answer abstained: the probability against the threshold (with `abstained`) */
            reason?: string;
            /** @description What was noted about the row (e.g. a field the model does not read) */
            notes?: string[];
            /** @description A scorecard's score: the sum of its points (scorecard models only) */
            score?: number;
            /** @description A scorecard's points, one per characteristic (scorecard models only) */
            points?: {
                characteristic: string;
                /** @description The row's bin of the characteristic */
                attribute: string;
                points: number;
            }[];
            /** @description A scorecard's reason codes: up to four characteristics that cost the row the most points, most first (scorecard models only) */
            reasons?: {
                characteristic: string;
                attribute: string;
                /** @description The characteristic's best points less the row's */
                pointsLost: number;
            }[];
            explanation?: {
                /** @description The class explained: the positive class for binary, the predicted one for multiclass */
                class?: string;
                /**
                 * @description What base and contributions are in
                 * @enum {string}
                 */
                scale: "log-odds" | "class margin" | "probability" | "value" | "log value";
                /** @description The margin with nothing known about the row */
                base: number;
                /** @description base + every column's contribution: for binary, the logit of the positive class's probability */
                margin: number;
                /** @description The top columns by |contribution| (?explain=K), or all */
                contributions: {
                    column: string;
                    /** @description The row's value of the column, as sent */
                    value: unknown;
                    /** @description Its additive part of the margin */
                    contribution: number;
                    /** @description contribution / Σ |contributions| of the row */
                    share: number;
                    /** @description The class's probability less what it would be without this contribution (classification) */
                    probabilityChange?: number;
                }[];
                /** @description An ensemble's margin less base + Σ contributions (its members' probabilities are averaged) */
                additivityError?: number;
            } | {
                /** @description The condition that held, as written; null when none did */
                rule: string | null;
                /** @description Its place among the conditions (0-based); their number for otherwise */
                index: number;
                then: number | string;
            };
            model: string;
            version: number;
            /** @description The deployment arm that answered, for a deployment's name */
            arm?: string;
            /** @description Time to answer, in milliseconds */
            ms: number;
        };
        Predictions: {
            model: string;
            version: number;
            arm?: string;
            ms: number;
            /** @description One per row, in order */
            predictions: {
                /** @description The prediction id: send feedback with it */
                id: string;
                /** @description The class label, or the value */
                prediction: (string | null) | number;
                /** @description Class label → probability (classification only) */
                probabilities?: {
                    [key: string]: number;
                };
                /** @description true when the predicted class's probability is below the deployment's `abstainBelow` threshold: the prediction and probabilities are still given; absent otherwise */
                abstained?: boolean;
                /** @description Why the answer abstained: the probability against the threshold (with `abstained`) */
                reason?: string;
                /** @description What was noted about the row (e.g. a field the model does not read) */
                notes?: string[];
                /** @description A scorecard's score: the sum of its points (scorecard models only) */
                score?: number;
                /** @description A scorecard's points, one per characteristic (scorecard models only) */
                points?: {
                    characteristic: string;
                    /** @description The row's bin of the characteristic */
                    attribute: string;
                    points: number;
                }[];
                /** @description A scorecard's reason codes: up to four characteristics that cost the row the most points, most first (scorecard models only) */
                reasons?: {
                    characteristic: string;
                    attribute: string;
                    /** @description The characteristic's best points less the row's */
                    pointsLost: number;
                }[];
                explanation?: {
                    /** @description The class explained: the positive class for binary, the predicted one for multiclass */
                    class?: string;
                    /**
                     * @description What base and contributions are in
                     * @enum {string}
                     */
                    scale: "log-odds" | "class margin" | "probability" | "value" | "log value";
                    /** @description The margin with nothing known about the row */
                    base: number;
                    /** @description base + every column's contribution: for binary, the logit of the positive class's probability */
                    margin: number;
                    /** @description The top columns by |contribution| (?explain=K), or all */
                    contributions: {
                        column: string;
                        /** @description The row's value of the column, as sent */
                        value: unknown;
                        /** @description Its additive part of the margin */
                        contribution: number;
                        /** @description contribution / Σ |contributions| of the row */
                        share: number;
                        /** @description The class's probability less what it would be without this contribution (classification) */
                        probabilityChange?: number;
                    }[];
                    /** @description An ensemble's margin less base + Σ contributions (its members' probabilities are averaged) */
                    additivityError?: number;
                } | {
                    /** @description The condition that held, as written; null when none did */
                    rule: string | null;
                    /** @description Its place among the conditions (0-based); their number for otherwise */
                    index: number;
                    then: number | string;
                };
            }[];
        };
        PredictAnswer: components["schemas"]["Prediction"] | components["schemas"]["Predictions"];
        ModelSchema: {
            name: string;
            version: number;
            inputs: {
                name: string;
                /**
                 * @description The type at training
                 * @enum {string}
                 */
                type: "numeric" | "binary" | "categorical" | "text" | "datetime" | "id" | "constant";
            }[];
            output: {
                name: string;
                task: string;
                labels?: string[];
            };
            /** @description A JSON Schema of one row */
            input_schema: {
                [key: string]: unknown;
            };
        };
        FeedbackItem: {
            id: string;
            outcome: string | number | boolean | ({
                reward?: number;
            } & {
                [key: string]: unknown;
            });
        };
        FeedbackRequest: components["schemas"]["FeedbackItem"] | components["schemas"]["FeedbackItem"][] | {
            feedback: components["schemas"]["FeedbackItem"][];
        };
        FeedbackResult: {
            /** @enum {string} */
            status: "accepted" | "unknown id" | "invalid";
            field?: string;
            problem?: string;
        };
        FeedbackAnswer: {
            accepted: number;
            /** @description One per item, in order */
            results: components["schemas"]["FeedbackResult"][];
        };
        InferRequest: {
            /** @description Echoed in the answer */
            id?: string;
            inputs: {
                name: string;
                shape: number[];
                /** @enum {string} */
                datatype: "UINT8" | "UINT16" | "UINT32" | "UINT64" | "INT8" | "INT16" | "INT32" | "INT64" | "FP16" | "FP32" | "FP64" | "BOOL" | "BYTES";
                data: unknown[];
            }[];
        };
        InferResponse: {
            model_name: string;
            model_version?: string;
            id?: string;
            outputs: {
                name: string;
                shape: number[];
                /** @enum {string} */
                datatype: "UINT8" | "UINT16" | "UINT32" | "UINT64" | "INT8" | "INT16" | "INT32" | "INT64" | "FP16" | "FP32" | "FP64" | "BOOL" | "BYTES";
                data: unknown[];
            }[];
        };
        ModelMetadata: {
            name: string;
            versions: string[];
            platform: string;
            inputs: {
                name: string;
                datatype: string;
                shape: number[];
            }[];
            outputs: {
                name: string;
                datatype: string;
                shape: number[];
            }[];
        };
        MlflowRequest: {
            dataframe_split?: {
                columns: string[];
                /** @description Rows, each as long as columns */
                data: unknown[][];
            };
            dataframe_records?: components["schemas"]["Row"][];
        };
        MlflowResponse: {
            /** @description The value, or `{prediction, <label>: probability…, id}` for a classifier (with `abstained: true, reason` where a deployment's abstain-below threshold was not reached) */
            predictions: unknown[];
        };
        Error: {
            /** @description The kind, e.g. `invalid input`, `unknown model`, `unauthorized` */
            error: string;
            message: string;
            problems?: {
                /** @description The field (or `rows[i].field`, `inputs[i]`, …) that is wrong */
                field: string;
                problem: string;
                expected: string;
                /** @description The row, in a batch */
                row?: number;
            }[];
        };
        DeploymentRequest: {
            policy: {
                /** @enum {string} */
                kind: "fixed";
                ref: string;
                /** @description Classifiers: an answer whose predicted class's probability is below this is marked abstained (0 < p ≤ 1); regression models refuse it */
                abstainBelow?: number;
            } | {
                /** @enum {string} */
                kind: "split";
                arms: {
                    ref: string;
                    weight: number;
                }[];
                /** @description Classifiers: an answer whose predicted class's probability is below this is marked abstained (0 < p ≤ 1); regression models refuse it */
                abstainBelow?: number;
            } | {
                /** @enum {string} */
                kind: "shadow";
                ref: string;
                shadow: string;
                /** @description Classifiers: an answer whose predicted class's probability is below this is marked abstained (0 < p ≤ 1); regression models refuse it */
                abstainBelow?: number;
            } | {
                /** @enum {string} */
                kind: "bandit";
                arms: string[];
                /** @description Classifiers: an answer whose predicted class's probability is below this is marked abstained (0 < p ≤ 1); regression models refuse it */
                abstainBelow?: number;
            };
        };
        DeploymentAnswer: {
            deployment: string;
            policy: {
                [key: string]: unknown;
            };
        };
        AliasMoveRequest: {
            version: number;
            expect?: number | null;
        };
        AliasMove: {
            model: string;
            alias: string;
            from: number | null;
            to: number | null;
            at: number;
        };
        AuditAnswer: {
            /** @description Newest first */
            entries: {
                id: number;
                /** @description Epoch milliseconds */
                at: number;
                actor: string;
                action: string;
                target: string;
                before: unknown;
                after: unknown;
            }[];
        };
        Live: {
            live: boolean;
        };
        Ready: {
            ready: boolean;
        };
        ModelReady: {
            name: string;
            ready: boolean;
        };
        Health: {
            /** @enum {string} */
            status: "ok";
        };
        Readiness: {
            ready: boolean;
            draining?: boolean;
            /** @description With an admin key */
            models?: {
                ref: string;
                model: string | null;
                version: number | null;
                /** @description Epoch milliseconds */
                loadedAt: number | null;
                /** @description The last load error; the previous version keeps serving */
                error: string | null;
            }[];
            deployments?: {
                deployment: string;
                error: string;
            }[];
            predictionLog?: {
                [key: string]: unknown;
            };
        };
        ReloadAnswer: {
            models: {
                ref: string;
                model: string | null;
                version: number | null;
                /** @description Epoch milliseconds */
                loadedAt: number | null;
                /** @description The last load error; the previous version keeps serving */
                error: string | null;
            }[];
        };
        /** @description Prometheus text */
        Metrics: string;
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
