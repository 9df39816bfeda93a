/**
 * The pages behind a card's More like this / Less like this / Follow links
 * and the tracked paper link. Each GET page only shows a form; a small script
 * (/assets/feedback.js) submits it at once, and its button does the same
 * without scripts. Link scanners that fetch the link change nothing.
 */
import { html, type SafeHtml } from './html.ts';
import { layout, notice } from './layout.ts';

export type FeedbackChoice =
  | { action: 'more' | 'less'; title: string }
  | { action: 'follow'; kind: 'organisation' | 'author'; value: string };

function ask(c: FeedbackChoice): { title: string; text: SafeHtml; button: string } {
  if (c.action === 'follow') {
    return {
      title: `Follow ${c.value}`,
      text: html`<p>Put papers ${c.kind === 'organisation' ? 'from' : 'by'} <strong>${c.value}</strong> in your emails when they appear, even outside your topics.</p>`,
      button: `Follow ${c.value}`,
    };
  }
  const more = c.action === 'more';
  return {
    title: more ? 'More like this' : 'Less like this',
    text: html`<p>Show ${more ? 'more' : 'fewer'} papers like <strong>‘${c.title}’</strong> in your emails.</p>`,
    button: more ? 'More like this' : 'Less like this',
  };
}

const page = (title: string, body: SafeHtml, script = false) =>
  layout({ title, body: html`<h1>${title}</h1><div class="card">${body}</div>${script ? html`<script src="/assets/feedback.js" defer></script>` : ''}` });

const hidden = (token: string) => html`<input type="hidden" name="token" value="${token}">`;

/** The GET: a form that records the choice when posted. */
export function feedbackPage(choice: FeedbackChoice, token: string): string {
  const a = ask(choice);
  return page(
    a.title,
    html`${a.text}<form method="post" action="/feedback" class="actions" data-auto-submit>${hidden(token)}<button type="submit">${a.button}</button></form>`,
    true,
  );
}

export function noted(choice: FeedbackChoice): string {
  if (choice.action === 'follow') return `Noted: you follow ${choice.value}.`;
  return `Noted: ${choice.action === 'more' ? 'more' : 'fewer'} papers like ‘${choice.title}’.`;
}

export function undone(choice: FeedbackChoice): string {
  if (choice.action === 'follow') return `Undone: you no longer follow ${choice.value}.`;
  return `Undone: ‘${choice.title}’ no longer counts as ${choice.action === 'more' ? 'More like this' : 'Less like this'}.`;
}

/** After the POST: what changed, an undo, and where to see everything learned. */
export function notedPage(choice: FeedbackChoice, token: string, preferencesUrl: string): string {
  return page(
    'Thanks',
    html`${notice('ok', noted(choice))}
<form method="post" action="/feedback/undo" class="actions">${hidden(token)}<button type="submit" class="secondary">Undo</button></form>
<p><a href="${preferencesUrl}#learned">See and change everything paperboy learned</a></p>`,
  );
}

export function undonePage(choice: FeedbackChoice, preferencesUrl: string): string {
  return page('Undone', html`${notice('ok', undone(choice))}<p><a href="${preferencesUrl}#learned">See and change everything paperboy learned</a></p>`);
}

/** The tracked paper link: counts the click with a POST, then goes to the paper. */
export function redirectPage(token: string, destination: string): string {
  return layout({
    title: 'Opening the paper',
    body: html`<h1>Opening the paper…</h1>
<div class="card"><p><a href="${destination}" id="destination">Continue to the paper</a></p>
<form method="post" action="/r" hidden data-click>${hidden(token)}</form></div>
<script src="/assets/feedback.js" defer></script>`,
  });
}

/** Submits a feedback form at once; counts a click and moves on to the paper. */
export const feedbackScript = `(function () {
  var form = document.querySelector('form[data-auto-submit]');
  if (form) { form.submit(); return; }
  var click = document.querySelector('form[data-click]');
  var to = document.getElementById('destination');
  if (!click || !to) return;
  var go = function () { location.replace(to.href); };
  fetch(click.action, { method: 'POST', body: new URLSearchParams(new FormData(click)), keepalive: true, credentials: 'omit' }).then(go, go);
})();
`;
