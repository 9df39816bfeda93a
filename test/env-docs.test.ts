/**
 * Every environment variable the code reads is documented: in the config
 * schema, in .env.example and in the README's configuration table.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../src/config.ts';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? sourceFiles(p) : /\.(ts|js)$/.test(f) ? [p] : [];
  });
}

const schemaKeys = Object.keys(configSchema.shape);
const envExample = readFileSync('.env.example', 'utf8');
const readme = readFileSync('README.md', 'utf8');

describe('configuration docs', () => {
  it('reads the environment only through the config schema', () => {
    const direct = new Set<string>();
    for (const file of sourceFiles('src')) {
      for (const m of readFileSync(file, 'utf8').matchAll(/process\.env\.([A-Z_][A-Z0-9_]*)|process\.env\[['"]([A-Z0-9_]+)['"]\]/g)) {
        direct.add(m[1] ?? m[2]!);
      }
    }
    for (const key of direct) expect(schemaKeys, `${key} is read in src/ but not in the config schema`).toContain(key);
  });

  it('documents every key in .env.example', () => {
    for (const key of schemaKeys) expect(envExample, key).toMatch(new RegExp(`^#?\\s*${key}=`, 'm'));
  });

  it('documents every key in the README', () => {
    for (const key of schemaKeys) expect(readme, key).toContain(`\`${key}\``);
  });

  it('documents nothing that does not exist', () => {
    const documented = [...envExample.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!);
    for (const key of documented) expect(schemaKeys, key).toContain(key);
  });
});
