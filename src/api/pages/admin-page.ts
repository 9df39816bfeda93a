/**
 * `/admin`: everything an operator checks in the morning on one page. Every
 * form carries the session's CSRF token.
 */
import type { AdminSubscriber } from '../../admin/subscribers.ts';
import type { AdminStats } from '../../admin/stats.ts';
import type { RankedPaper } from '../../papers/queries.ts';
import { outcomesChart } from './admin-chart.ts';
import { bounceTable } from './bounce-table.ts';
import { html, type SafeHtml } from './html.ts';
import { layout, notice } from './layout.ts';

export interface AdminPageOptions {
  stats: AdminStats;
  papers: RankedPaper[];
  csrf: string;
  /** The address searched for, and what was found. */
  search?: { email: string; found: AdminSubscriber | null };
  done?: string;
  /** Whether the session came from the login form (then a log-out button is shown). */
  canLogOut: boolean;
}

const csrfField = (csrf: string) => html`<input type="hidden" name="_csrf" value="${csrf}">`;

export function postButton(action: string, label: string, csrf: string, extra: SafeHtml | string = ''): SafeHtml {
  return html`<form method="post" action="${action}">${csrfField(csrf)}${extra}<button type="submit" class="secondary">${label}</button></form>`;
}

const time = (iso: string) => iso.replace('T', ' ').slice(0, 16);

export function adminPage(o: AdminPageOptions): string {
  const { stats } = o;
  const t = stats.today;
  const finished = t.deliveries.sent + t.deliveries.skipped + t.deliveries.failed;
  const body = html`<h1>Administration</h1>
${o.done ? notice('ok', o.done) : ''}
<section aria-labelledby="h-subs"><h2 id="h-subs">Subscribers</h2>
<dl class="stats" id="subscriber-counts">${Object.entries(stats.subscribers).map(([k, v]) => html`<div><dt>${k}</dt><dd data-status="${k}">${v}</dd></div>`)}</dl>
</section>
<section aria-labelledby="h-chart"><h2 id="h-chart">Last ${stats.days.length} days</h2>${outcomesChart(stats.days)}</section>
<section aria-labelledby="h-bounces"><h2 id="h-bounces">Bounces and complaints</h2>${bounceTable(stats.bounceDays)}</section>
<section aria-labelledby="h-today"><h2 id="h-today">Today (${t.period})</h2>
<p id="today-progress"><strong>${finished}</strong> of <strong>${t.activeDaily}</strong> active daily subscribers done: ${Object.entries(t.deliveries).map(([k, v], i) => html`${i ? ' · ' : ''}<span data-status="${k}">${k} ${v}</span>`)}</p>
<progress max="${Math.max(t.activeDaily, finished, 1)}" value="${finished}" aria-label="today's deliveries done">${finished}</progress>
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
<section aria-labelledby="h-papers"><h2 id="h-papers">Today’s top papers</h2>
${o.papers.length ? html`<ol class="papers">${o.papers.map((p) => html`<li><a href="https://huggingface.co/papers/${encodeURIComponent(p.id)}">${p.title}</a><div class="meta">▲ ${p.upvotes}</div></li>`)}</ol>` : html`<p class="meta">No papers in the last days.</p>`}
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
${postButton(`${base}/erase`, 'Erase all data', csrf)}
</div></div>`;
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
