/** Runs of days, ISO weeks and months for backfills (UTC). */

/** Every YYYY-MM-DD from `from` to `to`, inclusive. */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  const end = Date.parse(`${to}T00:00:00Z`);
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= end; t += 86_400_000) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

/** Monday of ISO week `YYYY-Www`, in ms: week 1 holds the year's first Thursday. */
function weekStart(week: string): number {
  const [y, w] = [Number(week.slice(0, 4)), Number(week.slice(6))];
  const jan4 = Date.UTC(y, 0, 4);
  const monday1 = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * 86_400_000;
  return monday1 + (w - 1) * 7 * 86_400_000;
}

/** The ISO week (YYYY-Www) holding the day at `t` ms. */
function isoWeek(t: number): string {
  const d = new Date(t);
  const thursday = t + (3 - ((d.getUTCDay() + 6) % 7)) * 86_400_000;
  const year = new Date(thursday).getUTCFullYear();
  const n = Math.floor((thursday - Date.UTC(year, 0, 1)) / (7 * 86_400_000)) + 1;
  return `${year}-W${String(n).padStart(2, '0')}`;
}

/** Every ISO week from `from` to `to`, inclusive. */
export function weeksBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = weekStart(from); t <= weekStart(to); t += 7 * 86_400_000) out.push(isoWeek(t));
  return out;
}

/** Every YYYY-MM from `from` to `to`, inclusive. */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let [y, m] = [Number(from.slice(0, 4)), Number(from.slice(5))];
  while (`${y}-${String(m).padStart(2, '0')}` <= to) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    [y, m] = m === 12 ? [y + 1, 1] : [y, m + 1];
  }
  return out;
}
