/**
 * The last days' outcomes as an inline SVG: one stacked bar per day (sent,
 * skipped, failed), its total written above it, the date below, and a
 * <title> per bar that screen readers and hover both get. No script.
 * The stylesheet recolours the text for dark mode and, on a phone, where the
 * 640-unit drawing shrinks to half, enlarges it and labels every other day.
 */
import type { DayOutcomes } from '../../admin/stats.ts';
import { html, type SafeHtml } from './html.ts';

const W = 640;
const H = 220;
const TOP = 22;
const BOTTOM = 30;
const LEFT = 8;

export const chartColours = { sent: '#1a7f37', skipped: '#8c959f', failed: '#cf222e' } as const;

export function outcomesChart(days: DayOutcomes[]): SafeHtml {
  const max = Math.max(1, ...days.map((d) => d.sent + d.skipped + d.failed));
  const slot = (W - LEFT * 2) / Math.max(days.length, 1);
  const barW = Math.max(4, slot * 0.6);
  const scale = (H - TOP - BOTTOM) / max;
  const bars = days.map((d, i) => {
    const x = LEFT + i * slot + (slot - barW) / 2;
    let y = H - BOTTOM;
    const total = d.sent + d.skipped + d.failed;
    const parts = (['sent', 'skipped', 'failed'] as const).map((k) => {
      const h = d[k] * scale;
      y -= h;
      return d[k] ? html`<rect class="bar-${k}" x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${chartColours[k]}"></rect>` : '';
    });
    const label = `${d.day}: ${d.sent} sent, ${d.skipped} skipped, ${d.failed} failed`;
    return html`<g class="day" data-day="${d.day}" data-sent="${d.sent}" data-skipped="${d.skipped}" data-failed="${d.failed}" role="listitem" aria-label="${label}">
<title>${label}</title>
<rect x="${(LEFT + i * slot).toFixed(1)}" y="${TOP}" width="${slot.toFixed(1)}" height="${H - TOP - BOTTOM}" fill="transparent"></rect>
${parts}
<text class="total" x="${(x + barW / 2).toFixed(1)}" y="${(y - 5).toFixed(1)}" text-anchor="middle" font-size="12" fill="#1f2328">${total}</text>
<text class="date" x="${(x + barW / 2).toFixed(1)}" y="${H - 10}" text-anchor="middle" font-size="11" fill="#57606a">${d.day.slice(5)}</text>
</g>`;
  });
  return html`<figure class="chart">
<svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg">
<title id="chart-title">Emails per day, last ${days.length} days</title>
<desc id="chart-desc">Stacked bars of sent, skipped and failed deliveries per day (UTC), totals above each bar.</desc>
<line x1="${LEFT}" y1="${H - BOTTOM}" x2="${W - LEFT}" y2="${H - BOTTOM}" stroke="#d0d7de"></line>
<g role="list">${bars}</g>
</svg>
<figcaption class="legend">${(['sent', 'skipped', 'failed'] as const).map(
    (k) => html`<span><i class="swatch-${k}"></i>${k} ${days.reduce((n, d) => n + d[k], 0)}</span>`,
  )}</figcaption>
</figure>`;
}
