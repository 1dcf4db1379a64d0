import { Command } from 'commander';
import { wholeNumber } from '../read-options.js';

interface UiFlags {
  port: string;
  host: string;
}

/**
 * `hyperplane ui`: the dashboard on the project's store, with no model served — runs, the registry,
 * deployments, the prediction log and monitoring, and the admin actions (moving an alias, changing a
 * policy) under the same API keys as `serve`. Ctrl-C stops it.
 */
export function uiCommand(): Command {
  return new Command('ui')
    .description("the dashboard (runs, models, deployments, monitoring, predictions) on the store, serving no model; `serve` shows it at /ui/ too")
    .option('--port <port>', 'port to listen on (beside a server on 8080 by default)', '8090')
    .option('--host <host>', 'address to listen on (0.0.0.0 for every interface)', '127.0.0.1')
    .action(async (flags: UiFlags) => {
      const port = wholeNumber('--port', flags.port, 0, 65_535);
      const { startServer } = await import('../../serve/lifecycle/start-server.js');
      const { osUser } = await import('../../store/index.js');
      const notice = (line: string): void => void process.stderr.write(`${line}\n`);
      let stopping = false;
      let running: { stop(): Promise<void> } | undefined;
      const stop = async (): Promise<void> => {
        if (stopping) process.exit(130);
        stopping = true;
        await running?.stop();
        process.exit(0);
      };
      process.on('SIGTERM', () => void stop());
      process.on('SIGINT', () => void stop());
      running = await startServer({ actor: `cli:${osUser()}`, serveModels: false, log: false, port, host: flags.host, acceptsPerTurn: 1, drainMs: 200, onNotice: notice });
    });
}
