/** The pages behind the links in emails: confirm, preferences, unsubscribe. */
import type { Subscriber } from '../../subscribers/lifecycle.ts';
import type { FieldErrors } from '../form-schemas.ts';
import { errorSummary, subscriptionForm } from './form.ts';
import { html, type SafeHtml } from './html.ts';
import { layout, messagePage, notice } from './layout.ts';

/** A page whose one button POSTs back, so link scanners that GET change nothing. */
function buttonPage(title: string, text: SafeHtml, action: string, button: string): string {
  return messagePage(title, html`${text}<form method="post" action="${action}" class="actions"><button type="submit">${button}</button></form>`);
}

export const confirmPage = (email: string, action: string) =>
  buttonPage('Confirm your subscription', html`<p>Start sending trending AI papers to <strong>${email}</strong>?</p>`, action, 'Confirm');

/** "today at 09:15", "tomorrow at 07:00", "on Monday 8 December at 07:00", in the reader's zone. */
export function whenInZone(at: Date, now: Date, timeZone: string): string {
  const day = (d: Date) => d.toLocaleDateString('en-CA', { timeZone });
  const time = at.toLocaleTimeString('en-GB', { timeZone, hour: '2-digit', minute: '2-digit' });
  const tomorrow = new Date(now.getTime() + 86_400_000);
  if (day(at) === day(now)) return `today at ${time}`;
  if (day(at) === day(tomorrow)) return `tomorrow at ${time}`;
  return `on ${at.toLocaleDateString('en-GB', { timeZone, weekday: 'long', day: 'numeric', month: 'long' })} at ${time}`;
}

export interface FirstEmail {
  /** When the planner will pick the subscriber up; the email follows within minutes. */
  at: Date;
  now: Date;
  timezone: string;
}

function firstEmailSentence(f: FirstEmail): string {
  const soon = f.at.getTime() - f.now.getTime() <= 20 * 60_000;
  const when = whenInZone(f.at, f.now, f.timezone);
  return soon
    ? `Your first email is on its way within minutes (by about ${when.replace(/^today at /, '')}, ${f.timezone} time).`
    : `Your first email comes ${when} (${f.timezone} time).`;
}

export const confirmedPage = (preferencesUrl: string, already: boolean, first?: FirstEmail) =>
  messagePage(
    already ? 'Already confirmed' : 'You are subscribed',
    html`<p>${already ? 'This subscription was confirmed before; nothing changed.' : first ? firstEmailSentence(first) : 'You are subscribed.'}</p>
${!already && first ? html`<p class="meta">Days with no new papers for your topics get no email.</p>` : ''}
<p><a href="${preferencesUrl}">Change topics, time or frequency</a></p>`,
  );

export const unsubscribePage = (email: string, action: string) =>
  buttonPage('Unsubscribe', html`<p>Stop all emails to <strong>${email}</strong>?</p>`, action, 'Unsubscribe');

export const unsubscribedPage = (resubscribeAction: string) =>
  messagePage(
    'You are unsubscribed',
    html`<p>No more emails will be sent to this address.</p>
<p>Changed your mind?</p>
<form method="post" action="${resubscribeAction}" class="actions"><button type="submit" class="secondary">Resubscribe</button></form>`,
  );

export const resubscribedPage = (preferencesUrl: string) =>
  messagePage('Welcome back', html`<p>Your subscription is active again.</p><p><a href="${preferencesUrl}">Review your preferences</a></p>`);

export interface PreferencesPageOptions {
  subscriber: Subscriber;
  token: string;
  unsubscribeUrl: string;
  exportUrl: string;
  /** What the POST just did, for the notice at the top. */
  done?: 'saved' | 'paused' | 'resumed';
  /** When the next email is planned (active subscribers). */
  next?: FirstEmail;
  errors?: FieldErrors;
  /** Submitted values to show again after a validation error. */
  values?: Parameters<typeof subscriptionForm>[0]['values'];
  /** What the reader's votes, follows and mutes taught (pages/learned-profile.ts). */
  learned?: SafeHtml;
}

const statusLine: Record<Subscriber['status'], string> = {
  pending: 'waiting for you to confirm from the email',
  active: 'active',
  paused: 'paused — no emails until you resume',
  unsubscribed: 'unsubscribed — no emails are sent',
  bounced: 'stopped — mail to this address bounced',
  complained: 'stopped — this address reported our mail as spam',
};

/** Says what happened and what it means for the next email, by the status the subscriber is now in. */
function doneNotice(done: 'saved' | 'paused' | 'resumed', status: Subscriber['status'], next?: FirstEmail): SafeHtml {
  const when = next ? ` — ${whenInZone(next.at, next.now, next.timezone)} (${next.timezone} time)` : '';
  if (status === 'paused') {
    return done === 'paused'
      ? html`<strong>Paused.</strong> No emails are sent until you press <strong>Resume emails</strong>; your settings are kept.`
      : html`<strong>Saved.</strong> Emails are paused; press <strong>Resume emails</strong> to get them again with these settings.`;
  }
  if (status === 'active') {
    return done === 'resumed'
      ? html`<strong>Resumed.</strong> Your next email follows these settings${when}.`
      : html`<strong>Saved.</strong> Your next email follows these settings${when}.`;
  }
  return html`<strong>Saved.</strong> No emails are sent to this address now (${statusLine[status]}).`;
}

export function preferencesPage(o: PreferencesPageOptions): string {
  const s = o.subscriber;
  const q = `?token=${encodeURIComponent(o.token)}`;
  const body = html`<h1>Your preferences</h1>
${o.done ? notice('ok', doneNotice(o.done, s.status, o.next)) : ''}
${o.errors ? errorSummary(o.errors, 'Not saved.') : ''}
<p>Emails to <strong>${s.email}</strong> · status: <strong>${statusLine[s.status]}</strong></p>
${subscriptionForm({ action: `/preferences${q}`, submit: 'Save', withEmail: false, browserTimezone: false, values: o.values ?? { ...s, keywords: s.keywords }, errors: o.errors })}
<div class="actions">
${s.status === 'active' ? html`<form method="post" action="/preferences/pause${q}"><button type="submit" class="secondary">Pause emails</button></form>` : ''}
${s.status === 'paused' ? html`<form method="post" action="/preferences/resume${q}"><button type="submit" class="secondary">Resume emails</button></form>` : ''}
<a href="${o.unsubscribeUrl}">Unsubscribe</a>
<a href="${o.exportUrl}">Download my data (JSON)</a>
</div>
${o.learned ?? ''}`;
  return layout({ title: 'Your preferences', body });
}
