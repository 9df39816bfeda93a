/** The shared page shell: one stylesheet, a header, the page's content. */
import { html, type SafeHtml } from './html.ts';

export interface LayoutOptions {
  title: string;
  body: SafeHtml;
  /** Load the time-zone helper script. */
  script?: boolean;
  /** A wider column for tables (the admin page). */
  wide?: boolean;
}

export function layout(opts: LayoutOptions): string {
  return `<!doctype html>${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${opts.title} · paperboy</title>
<meta name="color-scheme" content="light dark">
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/style.css">
</head>
<body>
<header class="site${opts.wide ? html` wide` : ''}"><a href="/">paperboy</a></header>
<main${opts.wide ? html` class="wide"` : ''}>
${opts.body}
</main>
${opts.script ? html`<script src="/assets/timezone.js" defer></script>` : ''}
</body>
</html>`}`;
}

export function notice(kind: 'ok' | 'bad', content: SafeHtml | string): SafeHtml {
  return html`<div class="notice ${kind}" role="${kind === 'bad' ? 'alert' : 'status'}">${content}</div>`;
}

/** A page that only says something: confirmations, errors. */
export function messagePage(title: string, body: SafeHtml): string {
  return layout({ title, body: html`<h1>${title}</h1><div class="card">${body}</div>` });
}
