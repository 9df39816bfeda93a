import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares a presented secret (an admin or webhook token) with the configured
 * one in constant time. Both are hashed first, so neither the comparison nor
 * an early length check reveals how long the secret is.
 */
export function sameSecret(given: string, expected: string): boolean {
  const h = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(h(given), h(expected)) && given.length === expected.length;
}
