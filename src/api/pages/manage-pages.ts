/** The pages behind the links in emails: confirm, preferences, unsubscribe. */
import type { Subscriber } from '../../subscribers/lifecycle.ts';
import { subscriptionForm } from './form.ts';
import { html, type SafeHtml } from './html.ts';
import { layout, messagePage, notice } from './layout.ts';

/** A page whose one button POSTs back, so link scanners that GET change nothing. */
function buttonPage(title: string, text: SafeHtml, action: string, button: string): string {
  return messagePage(title, html`${text}<form method="post" action="${action}" class="actions"><button type="submit">${button}</button></form>`);
}

export const confirmPage = (email: string, action: string) =>
  buttonPage('Confirm your subscription', html`<p>Start sending trending AI papers to <strong>${email}</strong>?</p>`, action, 'Confirm');

export const confirmedPage = (preferencesUrl: string, already: boolean) =>
  messagePage(
    already ? 'Already confirmed' : 'You are subscribed',
    html`<p>${already ? 'This subscription was confirmed before; nothing changed.' : 'Your first email arrives at your chosen hour.'}</p>
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
  saved?: boolean;
  errors?: string[];
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

export function preferencesPage(o: PreferencesPageOptions): string {
  const s = o.subscriber;
  const q = `?token=${encodeURIComponent(o.token)}`;
  const body = html`<h1>Your preferences</h1>
${o.saved ? notice('ok', html`<strong>Saved.</strong> Your next email follows these settings.`) : ''}
${o.errors?.length ? notice('bad', html`<p><strong>Not saved. Please fix:</strong></p><ul class="errors">${o.errors.map((e) => html`<li>${e}</li>`)}</ul>`) : ''}
<p>Emails to <strong>${s.email}</strong> · status: <strong>${statusLine[s.status]}</strong></p>
${subscriptionForm({ action: `/preferences${q}`, submit: 'Save', withEmail: false, browserTimezone: false, values: o.values ?? { ...s, keywords: s.keywords } })}
<div class="actions">
${s.status === 'active' ? html`<form method="post" action="/preferences/pause${q}"><button type="submit" class="secondary">Pause emails</button></form>` : ''}
${s.status === 'paused' ? html`<form method="post" action="/preferences/resume${q}"><button type="submit" class="secondary">Resume emails</button></form>` : ''}
<a href="${o.unsubscribeUrl}">Unsubscribe</a>
<a href="${o.exportUrl}">Download my data (JSON)</a>
</div>
${o.learned ?? ''}`;
  return layout({ title: 'Your preferences', body });
}
