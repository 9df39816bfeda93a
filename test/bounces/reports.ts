/** Bounce reports as mail systems write them, for the inbound endpoint's tests. */

const CRLF = '\r\n';

/** RFC 3464: a delivery-status notification quoting the original headers. */
export function dsn(opts: { recipient: string; action: 'failed' | 'delayed' | 'delivered'; status: string; originalHeaders?: string; perRecipient?: boolean }): string {
  const b = 'dsn-boundary-1';
  return [
    'From: Mail Delivery System <MAILER-DAEMON@mx.receiver.example>',
    'To: bounces@mx.example.org',
    'Subject: Undelivered Mail Returned to Sender',
    'Date: Tue, 16 Dec 2025 07:01:00 +0000',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${b}"`,
    'MIME-Version: 1.0',
    '',
    `--${b}`,
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'This is the mail system at host mx.receiver.example. Your message could not be delivered.',
    '',
    `--${b}`,
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.receiver.example',
    'Arrival-Date: Tue, 16 Dec 2025 07:00:58 +0000',
    '',
    ...(opts.perRecipient === false
      ? []
      : [
          `Final-Recipient: rfc822; ${opts.recipient}`,
          `Original-Recipient: rfc822;${opts.recipient}`,
          `Action: ${opts.action}`,
          `Status: ${opts.status}`,
          `Diagnostic-Code: smtp; ${opts.status.startsWith('5') ? '550 5.1.1 <' + opts.recipient + '>: Recipient address rejected:' : '451 4.4.1 mailbox temporarily'}`,
          '    unavailable',
          '',
        ]),
    `--${b}`,
    'Content-Type: text/rfc822-headers',
    '',
    opts.originalHeaders ?? 'Subject: something else',
    '',
    `--${b}--`,
    '',
  ].join(CRLF);
}

/** RFC 5965: an ARF complaint report with the original message attached. */
export function arf(opts: { recipient: string; original: string; feedbackType?: string }): string {
  const b = 'arf-boundary-1';
  return [
    'From: <staff@hotmail.example>',
    'To: bounces@mx.example.org',
    'Subject: complaint about message',
    'Date: Tue, 16 Dec 2025 09:00:00 +0000',
    `Content-Type: multipart/report; report-type=feedback-report; boundary="${b}"`,
    'MIME-Version: 1.0',
    '',
    `--${b}`,
    'Content-Type: text/plain; charset="US-ASCII"',
    '',
    'This is an email abuse report for an email message received from IP 192.0.2.1.',
    '',
    `--${b}`,
    'Content-Type: message/feedback-report',
    '',
    `Feedback-Type: ${opts.feedbackType ?? 'abuse'}`,
    'User-Agent: SomeGenerator/1.0',
    'Version: 1',
    `Original-Rcpt-To: <${opts.recipient}>`,
    'Source-IP: 192.0.2.1',
    '',
    `--${b}`,
    'Content-Type: message/rfc822',
    'Content-Disposition: inline',
    '',
    opts.original,
    `--${b}--`,
    '',
  ].join(CRLF);
}
