import { describe, expect, it } from 'vitest';
import { normalizeEmail } from '../../src/subscribers/email.ts';

const ok = (input: string) => {
  const r = normalizeEmail(input);
  if (!r.ok) throw new Error(`${input}: ${r.reason}`);
  return r.email;
};

describe('normalizeEmail', () => {
  it('trims, lower-cases the domain and keeps the local part as typed', () => {
    expect(ok('  Ada.Lovelace@Example.ORG \n')).toBe('Ada.Lovelace@example.org');
  });

  it('accepts plus-tags, subdomains, digits and the other atext characters', () => {
    for (const e of ['ada+papers@example.org', 'a@mail.cs.uni-example.ac.uk', "o'brien@example.ie", 'x_y-z!#$%&*/=?^`{|}~@ex-ample.io', '1@2.example']) {
      expect(ok(e)).toBe(e);
    }
  });

  it('converts Unicode domains to punycode for the check and storage', () => {
    expect(ok('ada@Bücher.example')).toBe('ada@xn--bcher-kva.example');
    expect(ok('ada@例え.テスト')).toBe('ada@xn--r8jz45g.xn--zckzah');
    expect(ok('ada@xn--bcher-kva.example')).toBe('ada@xn--bcher-kva.example');
  });

  it('rejects what is not an address', () => {
    for (const e of [
      '', '   ', 'ada', 'ada@', '@example.org', 'ada@example', 'ada@@example.org', 'a b@example.org', 'ada@exa mple.org',
      '.ada@example.org', 'ada.@example.org', 'a..da@example.org', '"ada"@example.org', 'ada@[127.0.0.1]', 'ada@-example.org',
      'ada@example-.org', 'ada@example.o', 'ada@example.123', 'ädä@example.org', 'ada\u0000@example.org', 'ada@exa\u0000mple.org',
      'ada\u202e@example.org', 'ada@example.org\u200f', '😀@example.org', 'ada@😀', 'ada@example..org', '<ada@example.org>',
    ]) {
      expect(normalizeEmail(e).ok, JSON.stringify(e)).toBe(false);
    }
  });

  it('enforces the length limits: 64 before the @, 254 in all', () => {
    expect(normalizeEmail(`${'a'.repeat(65)}@example.org`).ok).toBe(false);
    const label = 'b'.repeat(63);
    const long = `${'a'.repeat(64)}@${label}.${label}.${label}.example`; // 64 + 1 + 200 = 265
    expect(normalizeEmail(long).ok).toBe(false);
    const fits = `${'a'.repeat(50)}@${label}.${label}.${'c'.repeat(60)}.example`; // 50+1+63+1+63+1+60+8 = 247
    expect(ok(fits)).toBe(fits);
    expect(normalizeEmail('x'.repeat(100_000)).ok).toBe(false);
  });
});
