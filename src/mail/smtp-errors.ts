/**
 * What a failed send means for the delivery: try again later, or give up on
 * this address. SMTP says so in its reply code (RFC 5321 §4.2.1): 4xx is
 * transient, 5xx permanent. No reply at all (refused connection, timeout,
 * dropped socket) is the relay's trouble, not the recipient's: transient.
 */
export type SendFailure =
  /** relayDown: no SMTP reply at all, so nothing is known about the recipient. */
  | { kind: 'transient'; reason: string; relayDown: boolean }
  | { kind: 'permanent'; reason: string; code: number };

export function classifySendError(err: unknown): SendFailure {
  const e = err as { responseCode?: number; response?: string; code?: string; message?: string };
  const code = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const reason = (e.response ?? e.message ?? String(err)).split('\n')[0]!.slice(0, 300);
  if (code !== undefined && code >= 500 && code < 600) return { kind: 'permanent', reason, code };
  if (code !== undefined) return { kind: 'transient', reason, relayDown: false };
  return { kind: 'transient', reason: `${e.code ? `${e.code}: ` : ''}${reason}`, relayDown: true };
}
