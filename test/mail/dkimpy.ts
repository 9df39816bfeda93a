/**
 * An independent DKIM verifier for tests: dkimpy (Debian's python3-dkim),
 * given the public key through its dnsfunc since there is no DNS here.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

const SCRIPT = `
import sys, base64, dkim
record = sys.argv[1].encode()
msg = sys.stdin.buffer.read()
ok = dkim.verify(msg, dnsfunc=lambda name, timeout=5: record)
print("pass" if ok else "fail")
`;

/** The TXT record (`v=DKIM1; k=rsa; p=…`) as published for the selector. */
export function dkimRecord(publicKeyDer: Buffer): string {
  return `v=DKIM1; k=rsa; p=${publicKeyDer.toString('base64')}`;
}

export async function dkimVerify(raw: string | Buffer, record: string): Promise<'pass' | 'fail'> {
  const child = run('/usr/bin/python3', ['-c', SCRIPT, record], { encoding: 'utf8' });
  child.child.stdin!.end(raw);
  const { stdout } = await child;
  return stdout.trim() as 'pass' | 'fail';
}
