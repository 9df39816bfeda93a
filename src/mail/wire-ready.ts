/**
 * Messages that SMTP's DATA encoding would leave as they are: every line ends
 * in CRLF and none starts with "." (RFC 5321 §4.5.2). renderMime builds them
 * so (mime-template.ts) and marks each one here; the DATA encoder passes a
 * marked message through without checking it line by line (dot-stuffing.ts).
 * Marks are by object: the same Buffer that was built, so a copy or a slice
 * (nodemailer may split a message into chunks) is checked as any other.
 */
const ready = new WeakSet<Buffer>();

/** Whether text holds what DATA encoding changes: a bare CR or LF, or a line starting with "." (at the text's start too: wire-ready parts start lines). */
export const needsDataEncoding = (text: string): boolean => /(?:^|\n)\.|\r(?!\n)|(?<!\r)\n/.test(text);

export function markWireReady<B extends Buffer>(message: B): B {
  ready.add(message);
  return message;
}

export const isWireReady = (chunk: Buffer): boolean => ready.has(chunk);
