/**
 * MAIL_HEADERS: the operator's own headers on every email, as a JSON object
 * (`{"X-Campaign":"papers","Precedence":"bulk"}`). Names must be RFC 5322
 * field names and may not replace a header paperboy sets; values may not hold
 * line breaks (they are folded and encoded like ours).
 */
import { z } from 'zod';
import { RESERVED_HEADERS } from './headers.ts';

export const mailHeadersSchema = z
  .string()
  .transform((v, ctx) => {
    try {
      return JSON.parse(v) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object, e.g. {"X-Campaign":"papers"}' });
      return z.NEVER;
    }
  })
  .pipe(z.record(z.string(), z.string().max(900).regex(/^[^\r\n]*$/, 'no line breaks in header values')))
  .superRefine((headers, ctx) => {
    for (const name of Object.keys(headers)) {
      if (!/^[!-9;-~]+$/.test(name)) ctx.addIssue({ code: 'custom', message: `${name}: header names are printable ASCII without spaces or colons` });
      else if (RESERVED_HEADERS.includes(name.toLowerCase())) ctx.addIssue({ code: 'custom', message: `${name}: paperboy sets this header itself` });
    }
  });
