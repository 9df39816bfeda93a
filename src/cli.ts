/**
 * `paperboy <command>`: the command-line entry point. Each command lives in
 * src/cli/<name>.ts; this file only wires them and turns failures into one
 * line on stderr and a non-zero exit.
 */
import { Command, CommanderError } from 'commander';
import { ConfigError } from './config.ts';
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
    await buildProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode; // commander has printed it
    const message = err instanceof ConfigError ? err.message : `${(err as Error).name}: ${(err as Error).message}`;
    process.stderr.write(`paperboy: ${message.split('\n')[0]}\n`);
    return 1;
  }
}
