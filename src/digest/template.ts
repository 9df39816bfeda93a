/**
 * The MJML templates in templates/ and the one way to fill them: `{{name}}`
 * slots, replaced in a single pass (a value that itself contains `{{x}}` is
 * never re-read). Values are HTML-escaped unless the slot's name ends in
 * "Html", which marks a fragment the code built from escaped values.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { escapeHtml } from './escape.ts';

const DIR = new URL('../../templates/', import.meta.url);
const loaded = new Map<string, string>();

export function loadTemplate(name: string): string {
  let src = loaded.get(name);
  if (src === undefined) {
    // Template comments explain the slots to humans; the email does not need them.
    src = readFileSync(new URL(name, DIR), 'utf8').replace(/<!--[\s\S]*?-->\n?/g, '');
    loaded.set(name, src);
  }
  return src;
}

/** A short hash of templates' text: part of the render cache key, so an edited template never reuses old output. */
export function templateVersion(...names: string[]): string {
  const h = createHash('sha256');
  for (const n of names) h.update(loadTemplate(n));
  return h.digest('base64url').slice(0, 12);
}

export function fillTemplate(src: string, values: Record<string, string | number>): string {
  return src.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`template slot {{${name}}} has no value`);
    return name.endsWith('Html') ? String(v) : escapeHtml(String(v));
  });
}
