/** `/`: the subscribe form and a preview of what the email holds. */
import { authorsLine, countsLine, DEMO_NOTE, demoPaperUrl, isDemoPaper } from '../../papers/demo.ts';
import type { PaperPreview } from '../../papers/preview.ts';
import type { FieldErrors } from '../form-schemas.ts';
import { errorSummary, subscriptionForm, type FormValues } from './form.ts';
import { html, type SafeHtml } from './html.ts';
import { layout, notice } from './layout.ts';

const day = (d: Date) => d.toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });

export function homePage(opts: { values: FormValues; errors?: FieldErrors; preview: PaperPreview }): string {
  const { papers, latestFrom } = opts.preview;
  const body = html`<h1>Get trending papers in your email inbox once a day!</h1>
${opts.errors ? errorSummary(opts.errors, 'Not subscribed yet.') : ''}
${subscriptionForm({ action: '/subscribe', submit: 'Subscribe', values: opts.values, withEmail: true, browserTimezone: !opts.errors, errors: opts.errors })}
<section aria-labelledby="preview">
<h2 id="preview">${latestFrom ? `Latest papers (from ${day(latestFrom)})` : 'Today’s top papers'}</h2>
${demoNotice(papers)}
${papers.length ? paperList(papers) : html`<p class="meta">No papers yet. Run <code>paperboy ingest</code> to fetch some.</p>`}
</section>
<footer>Self-hosted with paperboy. One email a day at your hour; change topics or leave with one click.</footer>`;
  return layout({ title: 'Trending AI papers by email', body, script: true });
}

function paperList(papers: PaperPreview['papers']): SafeHtml {
  return html`<ol class="papers">${papers.map((p) => {
    const demo = isDemoPaper(p);
    const by = p.organizationFullname ?? p.organizationName ?? authorsLine(p.authors, 2);
    return html`<li><a href="${demo ? demoPaperUrl(p.title) : `https://huggingface.co/papers/${encodeURIComponent(p.id)}`}">${p.title}</a>
<div class="meta">${[countsLine(p.upvotes, 0), by].filter(Boolean).join(' · ')}</div></li>`;
  })}</ol>`;
}

/** Above a list of papers that are the demo's, saying so. */
export function demoNotice(papers: readonly { id: string; title: string }[]): SafeHtml | '' {
  return papers.some(isDemoPaper) ? html`<p class="notice demo" role="note">${DEMO_NOTE}</p>` : '';
}

export function checkInboxPage(): string {
  return layout({
    title: 'Check your inbox to confirm',
    body: html`<h1>Check your inbox to confirm</h1>
<div class="card"><p>If this address can be subscribed, an email with a confirmation link is on its way. Open it and press <strong>Confirm</strong> to start getting papers.</p>
<p class="meta">Nothing arrived? Look in the spam folder, or try again in ten minutes.</p>
<p><a href="/">Back to the start page</a></p></div>`,
  });
}
