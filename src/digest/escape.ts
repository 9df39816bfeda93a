/**
 * Escaping for everything that comes from outside (titles, abstracts, names,
 * keywords, URLs). MJML copies text and attributes through as written, so the
 * HTML we feed it must already be escaped; personal values substituted after
 * compiling go through the same function.
 */
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Safe in text and in double- or single-quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** The URL if it is an absolute http(s) URL, else null: no javascript:, data: or relative links. */
export function httpUrl(value: string | null | undefined): string | null {
  if (!value) return null;
  try {
    const u = new URL(value.trim());
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.toString() : null;
  } catch {
    return null;
  }
}
