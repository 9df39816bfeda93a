/**
 * Bounces and complaints per day on /admin: a plain table (the figures
 * mailbox providers judge a sender by), only the days that had any.
 */
import type { BounceDay } from '../../admin/stats.ts';
import { html, type SafeHtml } from './html.ts';

export function bounceTable(days: BounceDay[]): SafeHtml {
  const shown = days.filter((d) => d.hard + d.soft + d.complaints > 0).reverse();
  const total = (k: 'hard' | 'soft' | 'complaints') => days.reduce((n, d) => n + d[k], 0);
  if (!shown.length) return html`<p class="meta" id="bounces">No bounces or complaints in the last ${days.length} days.</p>`;
  return html`<div class="scroll"><table id="bounces"><thead><tr><th scope="col">Day (UTC)</th><th scope="col">Hard bounces</th><th scope="col">Soft bounces</th><th scope="col">Complaints</th></tr></thead>
<tbody>${shown.map((d) => html`<tr data-day="${d.day}"><td>${d.day}</td><td data-kind="hard">${d.hard}</td><td data-kind="soft">${d.soft}</td><td data-kind="complaints">${d.complaints}</td></tr>`)}</tbody>
<tfoot><tr><th scope="row">${days.length} days</th><td>${total('hard')}</td><td>${total('soft')}</td><td>${total('complaints')}</td></tr></tfoot></table></div>`;
}
