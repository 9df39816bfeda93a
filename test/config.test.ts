import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

describe('loadConfig', () => {
  it('gives the embedded defaults for an empty environment', () => {
    const c = loadConfig({});
    expect(c.embedded).toBe(true);
    expect(c.DATA_DIR).toBe('./.data');
    expect(c.HF_API_URL).toBe('https://huggingface.co');
    expect(c.PORT).toBe(3000);
    expect(c.publicUrl).toBe('http://localhost:3000');
    expect(c.LOG_LEVEL).toBe('info');
  });

  it('treats empty strings as unset', () => {
    const c = loadConfig({ DATABASE_URL: '', PORT: '' });
    expect(c.embedded).toBe(true);
    expect(c.PORT).toBe(3000);
  });

  it('names every offending key at once', () => {
    let err: unknown;
    try {
      loadConfig({ PORT: 'abc', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x/y', HF_API_URL: 'not a url' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const text = (err as ConfigError).message;
    for (const key of ['PORT', 'LOG_LEVEL', 'DATABASE_URL', 'HF_API_URL']) expect(text).toContain(key);
    expect((err as ConfigError).issues).toHaveLength(4);
  });

  it('requires a long SECRET with a production database', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://h/db' })).toThrow(/SECRET/);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://h/db', SECRET: 'short' })).toThrow(/SECRET/);
    const c = loadConfig({ DATABASE_URL: 'postgres://h/db', SECRET: 'x'.repeat(32) });
    expect(c.embedded).toBe(false);
  });

  it('strips a trailing slash from PUBLIC_URL', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://papers.example.org/' }).publicUrl).toBe('https://papers.example.org');
  });

  it('refuses an ADMIN_TOKEN shorter than 24 characters at start-up, saying how long it must be', () => {
    expect(() => loadConfig({ ADMIN_TOKEN: 'short-token' })).toThrow(/ADMIN_TOKEN: must be at least 24 characters/);
    expect(loadConfig({ ADMIN_TOKEN: 'x'.repeat(24) }).ADMIN_TOKEN).toHaveLength(24);
  });
});
