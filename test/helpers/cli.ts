/** Runs the `paperboy` command as a user would: a child process, its exit code and output. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `entry`: the command as run from source (src/bin.js, through tsx) or the compiled build (dist/main.js, `npm run build`). */
export async function runPaperboy(args: string[], env: Record<string, string>, entry = 'src/bin.js'): Promise<CliResult> {
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
