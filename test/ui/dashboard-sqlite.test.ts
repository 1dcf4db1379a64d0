import { describeDashboard } from './dashboard-suite.js';
import { accessChecks } from './checks/access.js';
import { deploymentsChecks } from './checks/deployments.js';
import { modelsChecks } from './checks/models.js';
import { monitorChecks } from './checks/monitor.js';
import { predictionsChecks } from './checks/predictions.js';
import { runChecks } from './checks/run.js';
import { runsChecks } from './checks/runs.js';

describeDashboard('SQLite', [runsChecks, runChecks, modelsChecks, deploymentsChecks, monitorChecks, predictionsChecks, accessChecks]);
