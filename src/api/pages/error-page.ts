/** The HTML answer to anything that goes wrong on a page. */
import { html } from './html.ts';
import { messagePage } from './layout.ts';

const titles: Record<number, string> = {
  400: 'Something in the form is not right',
  401: 'This link is not valid',
  404: 'Page not found',
  410: 'This link no longer works',
  413: 'That was too much to send',
  415: 'That cannot be read',
  429: 'Too many requests',
};

export function errorPage(status: number, message: string): string {
  const title = titles[status] ?? (status >= 500 ? 'Something went wrong on our side' : 'That did not work');
  return messagePage(title, html`<p>${message.charAt(0).toUpperCase()}${message.slice(1)}.</p><p><a href="/">Go to the start page</a></p>`);
}
