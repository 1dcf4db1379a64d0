#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { isHyperplaneError } from '../errors.js';

/**
 * Each command by name, loaded when asked for: a command's module pulls in what it needs (the store, DuckDB,
 * the chart renderer), and a start that loaded every command's spent ~0.5 s on modules it never ran.
 */
const COMMANDS: readonly [string, () => Promise<Command>][] = [
  ['init', async () => (await import('./commands/init.js')).initCommand()],
  ['profile', async () => (await import('./commands/profile.js')).profileCommand()],
  ['cluster', async () => (await import('./commands/cluster.js')).clusterCommand()],
  ['train', async () => (await import('./commands/train.js')).trainCommand()],
  ['predict', async () => (await import('./commands/predict.js')).predictCommand()],
  ['import', async () => (await import('./commands/import.js')).importCommand()],
  ['export', async () => (await import('./commands/export.js')).exportCommand()],
  ['evaluate', async () => (await import('./commands/predict.js')).evaluateCommand()],
  ['scorecard', async () => (await import('./commands/scorecard.js')).scorecardCommand()],
  ['runs', async () => (await import('./commands/runs.js')).runsCommand()],
  ['models', async () => (await import('./commands/models.js')).modelsCommand()],
  ['search', async () => (await import('./commands/search.js')).searchCommand()],
  ['ablate', async () => (await import('./commands/ablate.js')).ablateCommand()],
  ['reproduce', async () => (await import('./commands/reproduce.js')).reproduceCommand()],
  ['retrain', async () => (await import('./commands/retrain.js')).retrainCommand()],
  ['gc', async () => (await import('./commands/gc.js')).gcCommand()],
  ['keys', async () => (await import('./commands/keys.js')).keysCommand()],
  ['audit', async () => (await import('./commands/audit.js')).auditCommand()],
  ['predictions', async () => (await import('./commands/predictions.js')).predictionsCommand()],
  ['label-queue', async () => (await import('./commands/label-queue.js')).labelQueueCommand()],
  ['feedback', async () => (await import('./commands/feedback.js')).feedbackCommand()],
  ['monitor', async () => (await import('./commands/monitor.js')).monitorCommand()],
  ['alerts', async () => (await import('./commands/alerts.js')).alertsCommand()],
  ['deploy', async () => (await import('./commands/deploy.js')).deployCommand()],
  ['serve', async () => (await import('./commands/serve.js')).serveCommand()],
  ['ui', async () => (await import('./commands/ui.js')).uiCommand()],
  ['synth', async () => (await import('./commands/synth.js')).synthCommand()],
  ['worker', async () => (await import('./commands/worker.js')).workerCommand()],
];

const EXIT_USAGE = 2;

/**
 * The program with the command named on the command line, or every command when none is named (the program's
 * help and version, or an unknown name that commander answers with the nearest ones).
 */
async function program(argv: readonly string[]): Promise<Command> {
  const named = COMMANDS.find(([name]) => name === argv[2]);
  const commands = await Promise.all((named !== undefined ? [named] : COMMANDS).map(([, load]) => load()));
  const root = new Command('hyperplane')
    .description('machine learning in production: profile, train, track, serve and monitor models')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    // The program's own options (--version) only before a command, so `models delete N --version 3` reaches the command.
    .enablePositionalOptions()
    .exitOverride();
  for (const command of commands) root.addCommand(command.exitOverride());
  return root;
}

async function main(argv: string[]): Promise<number> {
  try {
    await (await program(argv)).parseAsync(argv);
    // A command may set its own exit code (reproduce: 1 when the metrics differ).
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander has already printed its message; help and version are not errors.
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? 0 : EXIT_USAGE;
    }
    if (isHyperplaneError(e)) {
      process.stderr.write(`hyperplane: error: ${e.message}\n`);
      return EXIT_USAGE;
    }
    // The reader of our output went away (`hyperplane predict … | head`): what it read is all it wanted.
    if ((e as { code?: unknown }).code === 'EPIPE') return 0;
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`hyperplane: internal error: ${message}\n`);
    if (process.env['HYPERPLANE_DEBUG'] && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    else process.stderr.write('(this is a bug; set HYPERPLANE_DEBUG=1 for details and report it)\n');
    return 1;
  }
}

// The reader of our output went away (`hyperplane evaluate … | head`): a write after that fails with EPIPE as an
// 'error' event on stdout, outside any await; what the reader read is all it wanted.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
process.exitCode = await main(process.argv);
// A worker of `serve --workers` stays alive while its channel to the primary is open: on failure, let it go.
if (process.exitCode !== 0 && process.connected) process.exit();
