/**
 * The `cfm` command: the whole headless workflow (train, sample, evaluate,
 * find and compare runs, move datasets and runs around) over the same run
 * layer the service will expose. Errors print one line and exit non-zero.
 */
import { Command, CommanderError } from 'commander';
import { registerDataCommands } from './cli/dataCommands.js';
import { registerInspectCommands } from './cli/inspectCommands.js';
import { registerModelCommands } from './cli/modelCommands.js';
import { reportError } from './cli/output.js';
import { registerQueueCommands } from './cli/queueCommands.js';
import { registerServeCommand } from './cli/serveCommand.js';
import { registerTrainCommands } from './cli/trainCommands.js';
import { registerWatchCommand } from './cli/watchCommand.js';

export function buildProgram(): Command {
  const program = new Command()
    .name('cfm')
    .description('CFM Workbench: train, sample, evaluate and compare Conditional Flow Matching models')
    .option('--db <path>', 'database file (default: $CFM_DB, else the per-user data directory)')
    .option('--json', 'print exactly one JSON value on stdout')
    .option('--backend <name>', 'tfjs backend: tensorflow-gpu, tensorflow, wasm or cpu (default: $CFM_BACKEND, else the best available)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerTrainCommands(program);
  registerModelCommands(program);
  registerInspectCommands(program);
  registerDataCommands(program);
  registerWatchCommand(program);
  registerQueueCommands(program);
  registerServeCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version are not failures; usage errors were already printed by commander.
      return e.exitCode === 0 ? 0 : 2;
    }
    return reportError(e, { json: argv.includes('--json') });
  }
}
