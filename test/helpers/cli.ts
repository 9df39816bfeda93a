/** Runs the `paperboy` command as a user would: a child process, its exit code and output. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { SOURCE_ENTRY } from './entries.ts';

const exec = promisify(execFile);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `entry`: SOURCE_ENTRY or COMPILED_ENTRY (entries.ts). */
export async function runPaperboy(args: string[], env: Record<string, string>, entry = SOURCE_ENTRY): Promise<CliResult> {
  try {
    const r = await exec(process.execPath, [entry, ...args], {
      env: { ...process.env, SECRET: 's'.repeat(40), LOG_LEVEL: 'warn', ...env },
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

export interface RunningPaperboy {
  child: ChildProcess;
  /** Its exit code, once it has exited. */
  exited: Promise<number | null>;
  /** Everything it wrote so far, stdout and stderr together. */
  output(): string;
}

/**
 * A long-running `paperboy <args>` (serve, start) with `env` and nothing else
 * of this process's environment but PATH and HOME, once it says it is
 * running. If it does not within `timeoutMs`, it is stopped and the wait's
 * error thrown.
 */
export async function startPaperboy(args: string[], env: Record<string, string>, opts: { entry?: string; timeoutMs?: number } = {}): Promise<RunningPaperboy> {
  const child = spawn(process.execPath, [opts.entry ?? SOURCE_ENTRY, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    await expect.poll(() => out, { timeout: opts.timeoutMs ?? 30_000, interval: 200 }).toContain('paperboy is running');
  } catch (err) {
    child.kill('SIGTERM');
    await exited;
    throw err;
  }
  return { child, exited, output: () => out };
}
