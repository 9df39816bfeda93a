/**
 * The HMAC secrets for links. With DATABASE_URL set, config validation has
 * already demanded a SECRET of 32+ characters. In the embedded default an
 * unset SECRET is generated once and kept in DATA_DIR/secret, so links in
 * emails keep working across restarts.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';
import type { TokenSecrets } from './tokens.ts';

export function loadSecrets(config: Pick<Config, 'SECRET' | 'SECRET_PREVIOUS' | 'DATA_DIR'>): TokenSecrets {
  const previous = config.SECRET_PREVIOUS || undefined;
  if (config.SECRET) return { current: config.SECRET, previous };
  const file = path.join(config.DATA_DIR, 'secret');
  try {
    const stored = readFileSync(file, 'utf8').trim();
    if (stored.length >= 32) return { current: stored, previous };
  } catch {
    // not generated yet
  }
  mkdirSync(config.DATA_DIR, { recursive: true });
  const generated = randomBytes(32).toString('base64url');
  // wx: if two processes race, the loser fails here and reads the winner's.
  try {
    writeFileSync(file, `${generated}\n`, { flag: 'wx', mode: 0o600 });
    return { current: generated, previous };
  } catch {
    return { current: readFileSync(file, 'utf8').trim(), previous };
  }
}
