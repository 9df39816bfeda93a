/**
 * METRICS_TOKEN: when set, `/metrics` (the API's and the worker's) answers
 * only `Authorization: Bearer METRICS_TOKEN` (Prometheus' `authorization`
 * scrape setting); anything else is a 401 with WWW-Authenticate. Unset:
 * open, as the counts it shows name no one.
 */
import { sameSecret } from '../secret-compare.ts';

export function metricsAllowed(authorization: string | undefined, token: string | undefined): boolean {
  if (!token) return true;
  const m = /^bearer\s+(.+)$/i.exec(authorization ?? '');
  return Boolean(m && sameSecret(m[1]!.trim(), token));
}

export const METRICS_CHALLENGE = 'Bearer realm="metrics"';
export const METRICS_REFUSED = 'a valid Authorization: Bearer METRICS_TOKEN is required';
