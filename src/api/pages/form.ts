/**
 * The subscription form, shared by the home page (with the email field) and
 * the preferences page (without). Every control has a label; the topic
 * checkboxes and frequency radios are fieldsets with a legend.
 */
import { topics } from '../../papers/topics.ts';
import { MAX_KEYWORDS, MAX_KEYWORD_LENGTH } from '../../subscribers/preferences.ts';
import { canonicalTimeZone, timeZoneNames } from '../../subscribers/timezones.ts';
import type { FieldErrors, FormField } from '../form-schemas.ts';
import { formFields } from '../form-schemas.ts';
import { html, type SafeHtml } from './html.ts';
import { notice } from './layout.ts';

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
  /** One sentence per wrong field: shown next to it, the first one focused. */
  errors?: FieldErrors;
}

/**
 * What a field needs when it is wrong: the message under its label (id
 * `<field>-error`), aria-invalid and aria-describedby pointing at the message
 * (and the hint, if any), and autofocus on the first wrong field so the
 * cursor lands where the fixing starts, with or without JavaScript.
 */
function fieldState(errors: FieldErrors | undefined, field: FormField, hint?: string) {
  const message = errors?.[field];
  const first = formFields.find((f) => errors?.[f]);
  const describedBy = [message ? `${field}-error` : '', hint ?? ''].filter(Boolean).join(' ');
  return {
    message: message ? html`<p class="field-error" id="${field}-error"><span class="sr-only">Error: </span>${message}</p>` : '',
    attrs: html`${message ? html` aria-invalid="true"` : ''}${describedBy ? html` aria-describedby="${describedBy}"` : ''}${first === field ? html` autofocus` : ''}`,
    /** For a fieldset's first control only: the group takes aria-describedby, the focus goes inside. */
    invalid: message ? html` aria-invalid="true"` : '',
    focusFirst: first === field ? html` autofocus` : '',
    describedBy,
  };
}

const hourLabel = (h: number) => `${String(h).padStart(2, '0')}:00`;

export function subscriptionForm(o: FormOptions): SafeHtml {
  const v = o.values;
  const chosen = new Set(v.topics);
  const keywords = Array.isArray(v.keywords) ? v.keywords.join(', ') : v.keywords;
  // A zone stored before the current names were used (Asia/Calcutta) shows as its current name.
  const zone = canonicalTimeZone(v.timezone) ?? v.timezone;
  const zones = timeZoneNames.includes(zone) ? timeZoneNames : [zone, ...timeZoneNames];
  const [email, topic, keyword, frequency, sendHour, timezone] = [
    fieldState(o.errors, 'email'),
    fieldState(o.errors, 'topics', 'topics-hint'),
    fieldState(o.errors, 'keywords', 'keywords-hint'),
    fieldState(o.errors, 'frequency'),
    fieldState(o.errors, 'sendHour'),
    fieldState(o.errors, 'timezone'),
  ];
  return html`<form method="post" action="${o.action}" class="card" novalidate>
  ${o.withEmail
    ? html`<div class="field">
    <label for="email">Email address</label>
    ${email.message}<input id="email" name="email" type="email" autocomplete="email" required maxlength="254" value="${v.email ?? ''}"${email.attrs}>
  </div>`
    : ''}
  <fieldset aria-describedby="${topic.describedBy}"${topic.invalid}>
    <legend>Topics</legend>
    ${topic.message}<p class="hint" id="topics-hint">Tick none to get all topics.</p>
    <div class="topics">${topics.map(
      (t, i) => html`<label><input type="checkbox"${i === 0 ? html` id="topics"` : ''} name="topics" value="${t.slug}"${chosen.has(t.slug) ? html` checked` : ''}${topic.invalid}${i === 0 ? topic.focusFirst : ''}> ${t.label}</label>`,
    )}</div>
  </fieldset>
  <div class="field">
    <label for="keywords">Keywords <span class="hint">(optional)</span></label>
    ${keyword.message}<input id="keywords" name="keywords" type="text" value="${keywords}"${keyword.attrs} placeholder="speculative decoding, diffusion">
    <p class="hint" id="keywords-hint">Comma-separated, up to ${MAX_KEYWORDS}, each at most ${MAX_KEYWORD_LENGTH} characters. Papers that mention them are picked for you.</p>
  </div>
  <fieldset${frequency.describedBy ? html` aria-describedby="${frequency.describedBy}"` : ''}${frequency.invalid}>
    <legend>How often</legend>
    ${frequency.message}<div class="choice">
      <label><input type="radio" id="frequency" name="frequency" value="daily"${v.frequency !== 'weekly' ? html` checked` : ''}${frequency.invalid}${frequency.focusFirst}> Daily</label>
      <label><input type="radio" name="frequency" value="weekly"${v.frequency === 'weekly' ? html` checked` : ''}${frequency.invalid}> Weekly</label>
    </div>
  </fieldset>
  <div class="row">
    <div class="field">
      <label for="sendHour">Send at</label>
      ${sendHour.message}<select id="sendHour" name="sendHour"${sendHour.attrs}>${Array.from({ length: 24 }, (_, h) =>
        html`<option value="${h}"${String(h) === String(v.sendHour) ? html` selected` : ''}>${hourLabel(h)}</option>`,
      )}</select>
    </div>
    <div class="field">
      <label for="timezone">Time zone</label>
      ${timezone.message}<select id="timezone" name="timezone"${o.browserTimezone ? html` data-browser-tz` : ''}${timezone.attrs}>${zones.map(
        (z) => html`<option${z === zone ? html` selected` : ''}>${z}</option>`,
      )}</select>
    </div>
  </div>
  <div class="actions"><button type="submit">${o.submit}</button></div>
</form>`;
}

const fieldNames: Record<FormField, [label: string, anchor: string]> = {
  email: ['Email address', 'email'],
  topics: ['Topics', 'topics'],
  keywords: ['Keywords', 'keywords'],
  frequency: ['How often', 'frequency'],
  sendHour: ['Send at', 'sendHour'],
  timezone: ['Time zone', 'timezone'],
};

/** Above the form: what did not happen, and links to the fields to fix (each says why next to it). */
export function errorSummary(errors: FieldErrors, what: string): SafeHtml | '' {
  const wrong = formFields.filter((f) => errors[f]);
  if (!wrong.length && !errors.form) return '';
  return notice(
    'bad',
    html`<p><strong>${what}</strong> ${wrong.length ? `Please check ${wrong.length === 1 ? 'this field' : 'these fields'}:` : ''}</p>
${wrong.length ? html`<ul class="errors">${wrong.map((f) => html`<li><a href="#${fieldNames[f][1]}">${fieldNames[f][0]}</a></li>`)}</ul>` : ''}
${errors.form ? html`<p>${errors.form}</p>` : ''}`,
  );
}
