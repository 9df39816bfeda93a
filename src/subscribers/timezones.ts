/**
 * IANA time-zone names. The list offered and the names stored are the current
 * ones (Asia/Kolkata, Europe/Kyiv, Asia/Ho_Chi_Minh) from @vvo/tzdb, which
 * follows each tzdata release; Node's ICU data still canonicalises to the
 * old spellings (Asia/Calcutta, Europe/Kiev, Asia/Saigon), so its answer is
 * mapped back to the current name. Any alias the runtime knows (Asia/Calcutta,
 * US/Eastern, utc) is accepted and stored under the current name; offsets
 * like "+01:00" are refused, since a fixed offset silently goes wrong at the
 * next DST change.
 */
// Only the names list (8 KB), not the package's index with its offsets and cities.
import timeZonesNames from '@vvo/tzdb/time-zones-names.json' with { type: 'json' };

const SHAPE = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/;

/** ICU's own canonical spelling of a zone, or null when the runtime does not know it. */
function icuName(name: string): string | null {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

// ICU's own list is its canonical spellings: only the current names missing from it
// (a score of them) need a lookup, which keeps this module cheap to import.
const icuCanonical = new Set(Intl.supportedValuesOf('timeZone'));
const current = timeZonesNames.filter((z) => z !== 'UTC' && (icuCanonical.has(z) || icuName(z) !== null));

/** Every zone for the form's select, current names only; UTC first, since it is the default. */
export const timeZoneNames: readonly string[] = ['UTC', ...current];

/** ICU's spelling → the current name, where they differ (Asia/Calcutta → Asia/Kolkata). */
export const currentNameOf: Readonly<Record<string, string>> = Object.fromEntries(
  current.filter((z) => !icuCanonical.has(z)).map((z) => [icuName(z)!, z] as const).filter(([icu, z]) => icu !== z),
);

const resolved = new Map<string, string>(timeZoneNames.map((z) => [z, z]));

/** The current name for an IANA zone or any of its aliases, or null when it is not one. */
export function canonicalTimeZone(name: string): string | null {
  const hit = resolved.get(name);
  if (hit) return hit;
  if (name.length > 64 || !SHAPE.test(name)) return null;
  const icu = icuName(name);
  if (!icu) return null;
  const canonical = currentNameOf[icu] ?? (icu === 'Etc/UTC' || icu === 'Etc/GMT' ? 'UTC' : icu);
  // Only valid names are cached, so junk input cannot grow the map.
  resolved.set(name, canonical);
  return canonical;
}
