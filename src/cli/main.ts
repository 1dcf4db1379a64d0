#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { isHyperplaneError } from '../errors.js';
import { profileCommand } from './commands/profile.js';
import { synthCommand } from './commands/synth.js';
import { trainCommand } from './commands/train.js';
import { evaluateCommand, predictCommand } from './commands/predict.js';
import { reproduceCommand } from './commands/reproduce.js';
import { runsCommand } from './commands/runs.js';
import { modelsCommand } from './commands/models.js';
import { gcCommand } from './commands/gc.js';
import { keysCommand } from './commands/keys.js';
import { auditCommand } from './commands/audit.js';
import { predictionsCommand } from './commands/predictions.js';
import { monitorCommand } from './commands/monitor.js';
import { alertsCommand } from './commands/alerts.js';
import { deployCommand } from './commands/deploy.js';
import { searchCommand } from './commands/search.js';
import { ablateCommand } from './commands/ablate.js';
import { serveCommand } from './commands/serve.js';
import { uiCommand } from './commands/ui.js';
import { importCommand } from './commands/import.js';
import { scorecardCommand } from './commands/scorecard.js';

const EXIT_USAGE = 2;

function program(): Command {
  return new Command('hyperplane')
    .description('machine learning in production: profile, train, track, serve and monitor models')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    // The program's own options (--version) only before a command, so `models delete N --version 3` reaches the command.
    .enablePositionalOptions()
    .exitOverride()
    .addCommand(profileCommand().exitOverride())
    .addCommand(trainCommand().exitOverride())
    .addCommand(predictCommand().exitOverride())
    .addCommand(importCommand().exitOverride())
    .addCommand(evaluateCommand().exitOverride())
    .addCommand(scorecardCommand().exitOverride())
    .addCommand(runsCommand().exitOverride())
    .addCommand(modelsCommand().exitOverride())
    .addCommand(searchCommand().exitOverride())
    .addCommand(ablateCommand().exitOverride())
    .addCommand(reproduceCommand().exitOverride())
    .addCommand(gcCommand().exitOverride())
    .addCommand(keysCommand().exitOverride())
    .addCommand(auditCommand().exitOverride())
    .addCommand(predictionsCommand().exitOverride())
    .addCommand(monitorCommand().exitOverride())
    .addCommand(alertsCommand().exitOverride())
    .addCommand(deployCommand().exitOverride())
    .addCommand(serveCommand().exitOverride())
    .addCommand(uiCommand().exitOverride())
    .addCommand(synthCommand().exitOverride());
}

async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv);
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

process.exitCode = await main(process.argv);
// A worker of `serve --workers` stays alive while its channel to the primary is open: on failure, let it go.
if (process.exitCode !== 0 && process.connected) process.exit();
