/**
 * `paperboy <command>`: the command-line entry point. Each command lives in
 * src/cli/<name>.ts; this file only wires them and turns failures into one
 * plain line on stderr and a non-zero exit (src/cli/errors.ts; `--verbose`
 * or LOG_LEVEL=debug adds the stack).
 */
import { Command, CommanderError } from 'commander';
import { describeError, errorDetails, wantsStack } from './cli/errors.ts';
import { registerIngest } from './cli/ingest.ts';
import { registerMigrate } from './cli/migrate.ts';
import { registerPapers, registerTopics } from './cli/papers.ts';
import { registerServe } from './cli/serve.ts';
import { registerStart } from './cli/start.ts';
import { registerDigest } from './cli/digest.ts';
import { registerSend } from './cli/send.ts';
import { registerWorker } from './cli/worker.ts';
import { registerStats } from './cli/stats.ts';
import { registerSubscribers } from './cli/subscribers.ts';
import { registerDeliveries } from './cli/deliveries.ts';
import { registerBounces } from './cli/bounces.ts';
import { registerDoctor } from './cli/doctor.ts';

export function buildProgram(): Command {
  const program = new Command('paperboy')
    .description('a self-hosted daily email of trending AI research papers')
    .configureHelp({ sortSubcommands: false })
    // Taken out of argv by main() wherever it appears; declared for --help.
    .option('--verbose', 'on an error, print its stack too')
    .exitOverride();
  registerMigrate(program);
  registerIngest(program);
  registerPapers(program);
  registerTopics(program);
  registerServe(program);
  registerStart(program);
  registerDigest(program);
  registerWorker(program);
  registerSend(program);
  registerStats(program);
  registerSubscribers(program);
  registerDeliveries(program);
  registerBounces(program);
  registerDoctor(program);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv.filter((a) => a !== '--verbose'), { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode; // commander has printed it
    process.stderr.write(`paperboy: ${describeError(err)}\n`);
    if (wantsStack(argv)) process.stderr.write(`${errorDetails(err)}\n`);
    return 1;
  }
}
