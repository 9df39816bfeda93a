/**
 * IANA time-zone names, checked against the runtime's ICU data. Aliases the
 * runtime knows (Asia/Kolkata, US/Eastern, utc) are accepted and stored in the
 * canonical spelling it resolves them to; offsets like "+01:00" are refused,
 * since a fixed offset silently goes wrong at the next DST change.
 */
const SHAPE = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/;

/** Every zone for the form's select; UTC first, since it is the default. */
export const timeZoneNames: readonly string[] = ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];

const resolved = new Map<string, string>(timeZoneNames.map((z) => [z, z]));

/** The canonical name for an IANA zone, or null when it is not one. */
export function canonicalTimeZone(name: string): string | null {
  const hit = resolved.get(name);
  if (hit) return hit;
  if (name.length > 64 || !SHAPE.test(name)) return null;
  try {
    const canonical = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
    // Only valid names are cached, so junk input cannot grow the map.
    resolved.set(name, canonical);
    return canonical;
  } catch {
    return null;
  }
}
