/**
 * The HTML answer to anything that goes wrong where a person is looking: a
 * page route, a form, a link from an email, or any address a browser asks for
 * (src/api/errors.ts decides by the Accept header). Same layout as every page.
 */
import { html } from './html.ts';
import { messagePage } from './layout.ts';

const titles: Record<number, string> = {
  400: 'Something in that request is not right',
  401: 'This link is not valid',
  403: 'Not allowed',
  404: 'Page not found',
  405: 'That cannot be done here',
  410: 'This link no longer works',
  413: 'That was too much to send',
  415: 'That cannot be read',
  429: 'Too many requests',
};

export function errorPage(status: number, message: string): string {
  const title = titles[status] ?? (status >= 500 ? 'Something went wrong on our side' : 'That did not work');
  const sentence = `${message.charAt(0).toUpperCase()}${message.slice(1)}${/[.!?]$/.test(message) ? '' : '.'}`;
  return messagePage(title, html`<p>${sentence}</p><p><a href="/">Go to the start page</a></p>`);
}
