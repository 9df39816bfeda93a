/**
 * The subscription form, shared by the home page (with the email field) and
 * the preferences page (without). Every control has a label; the topic
 * checkboxes and frequency radios are fieldsets with a legend.
 */
import { topics } from '../../papers/topics.ts';
import { MAX_KEYWORDS, MAX_KEYWORD_LENGTH } from '../../subscribers/preferences.ts';
import { timeZoneNames } from '../../subscribers/timezones.ts';
import { html, type SafeHtml } from './html.ts';

export interface FormValues {
  email?: string;
  topics: readonly string[];
  keywords: readonly string[] | string;
  frequency: string;
  timezone: string;
  sendHour: number | string;
}

export interface FormOptions {
  action: string;
  submit: string;
  values: FormValues;
  withEmail: boolean;
  /** Let the browser's time zone replace the value (new subscriptions only). */
  browserTimezone: boolean;
}

const hourLabel = (h: number) => `${String(h).padStart(2, '0')}:00`;

export function subscriptionForm(o: FormOptions): SafeHtml {
  const v = o.values;
  const chosen = new Set(v.topics);
  const keywords = Array.isArray(v.keywords) ? v.keywords.join(', ') : v.keywords;
  const zones = timeZoneNames.includes(v.timezone) ? timeZoneNames : [v.timezone, ...timeZoneNames];
  return html`<form method="post" action="${o.action}" class="card" novalidate>
  ${o.withEmail
    ? html`<div class="field">
    <label for="email">Email address</label>
    <input id="email" name="email" type="email" autocomplete="email" required maxlength="254" value="${v.email ?? ''}">
  </div>`
    : ''}
  <fieldset>
    <legend>Topics</legend>
    <p class="hint" id="topics-hint">Tick none to get all topics.</p>
    <div class="topics">${topics.map(
      (t) => html`<label><input type="checkbox" name="topics" value="${t.slug}"${chosen.has(t.slug) ? html` checked` : ''}> ${t.label}</label>`,
    )}</div>
  </fieldset>
  <div class="field">
    <label for="keywords">Keywords <span class="hint">(optional)</span></label>
    <input id="keywords" name="keywords" type="text" value="${keywords}" aria-describedby="keywords-hint" placeholder="speculative decoding, diffusion">
    <p class="hint" id="keywords-hint">Comma-separated, up to ${MAX_KEYWORDS}, each at most ${MAX_KEYWORD_LENGTH} characters. Papers that mention them are picked for you.</p>
  </div>
  <fieldset>
    <legend>How often</legend>
    <div class="choice">
      <label><input type="radio" name="frequency" value="daily"${v.frequency !== 'weekly' ? html` checked` : ''}> Daily</label>
      <label><input type="radio" name="frequency" value="weekly"${v.frequency === 'weekly' ? html` checked` : ''}> Weekly</label>
    </div>
  </fieldset>
  <div class="row">
    <div class="field">
      <label for="sendHour">Send at</label>
      <select id="sendHour" name="sendHour">${Array.from({ length: 24 }, (_, h) =>
        html`<option value="${h}"${String(h) === String(v.sendHour) ? html` selected` : ''}>${hourLabel(h)}</option>`,
      )}</select>
    </div>
    <div class="field">
      <label for="timezone">Time zone</label>
      <select id="timezone" name="timezone"${o.browserTimezone ? html` data-browser-tz` : ''}>${zones.map(
        (z) => html`<option${z === v.timezone ? html` selected` : ''}>${z}</option>`,
      )}</select>
    </div>
  </div>
  <div class="actions"><button type="submit">${o.submit}</button></div>
</form>`;
}
