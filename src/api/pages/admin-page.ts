/**
 * `/admin`: everything an operator checks in the morning on one page. Every
 * form carries the session's CSRF token.
 */
import type { AdminSubscriber } from '../../admin/subscribers.ts';
import type { AdminStats } from '../../admin/stats.ts';
import type { RankedPaper } from '../../papers/queries.ts';
import { countsLine, demoPaperUrl, isDemoPaper } from '../../papers/demo.ts';
import { outcomesChart } from './admin-chart.ts';
import { bounceTable } from './bounce-table.ts';
import { demoNotice } from './home-page.ts';
import { html, type SafeHtml } from './html.ts';
import { layout, notice } from './layout.ts';

export interface AdminPageOptions {
  stats: AdminStats;
  papers: RankedPaper[];
  /** Set when no paper is recent and these are the latest stored ones: the day they are from. */
  papersFrom?: Date | null;
  csrf: string;
  /** The address searched for, and what was found. */
  search?: { email: string; found: AdminSubscriber | null };
  done?: string;
  /** Whether the session came from the login form (then a log-out button is shown). */
  canLogOut: boolean;
}

const csrfField = (csrf: string) => html`<input type="hidden" name="_csrf" value="${csrf}">`;

export function postButton(action: string, label: string, csrf: string, extra: SafeHtml | string = '', kind: 'secondary' | 'danger' = 'secondary'): SafeHtml {
  return html`<form method="post" action="${action}">${csrfField(csrf)}${extra}<button type="submit" class="${kind}">${label}</button></form>`;
}

const time = (iso: string) => iso.replace('T', ' ').slice(0, 16);

const day = (d: Date) => d.toLocaleDateString('en-US', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });

/**
 * Today's progress, honest when the numbers disagree: deliveries are planned
 * at each subscriber's send hour, and someone can leave after theirs was
 * planned, so more may be planned than there are active daily subscribers.
 */
function todayProgress(t: AdminStats['today']): SafeHtml {
  const finished = t.deliveries.sent + t.deliveries.skipped + t.deliveries.failed;
  const planned = Object.values(t.deliveries).reduce((n, v) => n + v, 0);
  const breakdown = Object.entries(t.deliveries).map(([k, v], i) => html`${i ? ' · ' : ''}<span data-status="${k}">${k} ${v}</span>`);
  const total = Math.max(t.activeDaily, planned);
  const line =
    planned > t.activeDaily
      ? html`<strong>${finished}</strong> of <strong>${planned}</strong> deliveries planned today done: ${breakdown}. <span class="meta">${t.activeDaily} active daily ${t.activeDaily === 1 ? 'subscriber' : 'subscribers'} now; the others left or paused after theirs was planned.</span>`
      : html`<strong>${finished}</strong> of <strong>${t.activeDaily}</strong> active daily subscribers done: ${breakdown}`;
  return html`<p id="today-progress">${line}</p>
${total ? html`<progress max="${total}" value="${finished}" aria-label="today's deliveries done">${finished}</progress>` : html`<p class="meta">No active daily subscribers and nothing planned today.</p>`}`;
}

export function adminPage(o: AdminPageOptions): string {
  const { stats } = o;
  const t = stats.today;
  const body = html`<h1>Administration</h1>
${o.done ? notice('ok', o.done) : ''}
<section aria-labelledby="h-subs"><h2 id="h-subs">Subscribers</h2>
<dl class="stats" id="subscriber-counts">${Object.entries(stats.subscribers).map(([k, v]) => html`<div><dt>${k}</dt><dd data-status="${k}">${v}</dd></div>`)}</dl>
</section>
<section aria-labelledby="h-chart"><h2 id="h-chart">Last ${stats.days.length} days</h2>${outcomesChart(stats.days)}</section>
<section aria-labelledby="h-bounces"><h2 id="h-bounces">Bounces and complaints</h2>${bounceTable(stats.bounceDays)}</section>
<section aria-labelledby="h-today"><h2 id="h-today">Today (${t.period})</h2>
${todayProgress(t)}
${stats.lastSendRun ? html`<p class="meta">Last send run finished ${time(stats.lastSendRun.finishedAt)} UTC.</p>` : ''}
</section>
<section aria-labelledby="h-find"><h2 id="h-find">Find a subscriber</h2>
<form method="get" action="/admin" class="card find"><label for="find-email">Email address</label>
<div class="inline"><input id="find-email" name="email" type="email" required value="${o.search?.email ?? ''}"><button type="submit">Find</button></div></form>
${o.search ? subscriberPanel(o.search.email, o.search.found, o.csrf) : ''}
</section>
<section aria-labelledby="h-failures"><h2 id="h-failures">Recent failures</h2>
${stats.recentFailures.length ? failureTable(stats, o.csrf) : html`<p class="meta">No failed deliveries.</p>`}
</section>
<section aria-labelledby="h-papers"><h2 id="h-papers">${o.papersFrom ? `Latest papers (from ${day(o.papersFrom)})` : 'Today’s top papers'}</h2>
${o.papersFrom ? notice('bad', html`No papers from the last 3 days: these are the latest stored, from ${day(o.papersFrom)}. Is the ingest job running? (<code>paperboy ingest</code> fetches now.)`) : ''}
${demoNotice(o.papers)}
${o.papers.length ? html`<ol class="papers">${o.papers.map((p) => html`<li><a href="${isDemoPaper(p) ? demoPaperUrl(p.title) : `https://huggingface.co/papers/${encodeURIComponent(p.id)}`}">${p.title}</a><div class="meta">${[countsLine(p.upvotes, 0), `on Daily Papers ${day(p.dailyAt)}`].filter(Boolean).join(' · ')}</div></li>`)}</ol>` : html`<p class="meta">No papers stored yet. Run <code>paperboy ingest</code>.</p>`}
</section>
${o.canLogOut ? html`<div class="actions">${postButton('/admin/logout', 'Log out', o.csrf)}</div>` : ''}`;
  return layout({ title: 'Administration', body, wide: true });
}

function subscriberPanel(email: string, s: AdminSubscriber | null, csrf: string): SafeHtml {
  if (!s) return html`<p class="meta" id="subscriber">No subscriber with the address ${email}.</p>`;
  const base = `/admin/subscribers/${s.id}`;
  return html`<div class="card" id="subscriber">
<p><strong>${s.email}</strong> · <span data-field="status">${s.status}</span> · ${s.frequency} at ${s.sendHour}:00 ${s.timezone}</p>
<p class="meta">Topics: ${s.topics.join(', ') || 'all'} · keywords: ${s.keywords.join(', ') || 'none'} · since ${time(s.createdAt)}${s.lastDelivery ? ` · last delivery ${s.lastDelivery.period} ${s.lastDelivery.status}` : ''}</p>
<div class="actions">
${['pending', 'active', 'paused'].includes(s.status) ? postButton(`${base}/suppress`, 'Suppress', csrf) : ''}
${['paused', 'unsubscribed', 'bounced', 'complained'].includes(s.status) ? postButton(`${base}/reactivate`, 'Reactivate', csrf) : ''}
</div>
<details class="erase"><summary>Erase all data…</summary>
<p>This deletes <strong>${s.email}</strong> for good: the address and preferences, every delivery record${s.lastDelivery ? ` (the last: ${s.lastDelivery.period}, ${s.lastDelivery.status})` : ''} and the history of changes. It cannot be undone, and nothing is left to show they were ever subscribed; to stop mail but keep the record, use Suppress.</p>
${postButton(`${base}/erase`, `Erase ${s.email} for good`, csrf, html`<input type="hidden" name="confirm" value="erase">`, 'danger')}
</details></div>`;
}

function failureTable(stats: AdminStats, csrf: string): SafeHtml {
  return html`<div class="scroll"><table id="failures"><thead><tr><th scope="col">Subscriber</th><th scope="col">Period</th><th scope="col">Reason</th><th scope="col">When (UTC)</th><th scope="col"><span class="sr-only">Action</span></th></tr></thead>
<tbody>${stats.recentFailures.map(
    (f) => html`<tr><td>${f.email}</td><td>${f.period}</td><td>${f.reason ?? ''}</td><td>${time(f.at)}</td><td>${postButton(`/admin/deliveries/${f.deliveryId}/resend`, 'Resend', csrf)}</td></tr>`,
  )}</tbody></table></div>`;
}

export function loginPage(error?: string): string {
  return layout({
    title: 'Administration: log in',
    body: html`<h1>Log in</h1>
${error ? notice('bad', error) : ''}
<form method="post" action="/admin/login" class="card">
<div class="field"><label for="token">Admin token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required>
<p class="hint">The value of ADMIN_TOKEN in the server's environment.</p></div>
<div class="actions"><button type="submit">Log in</button></div></form>`,
  });
}
