/**
 * Amazon SNS message signatures (how SES bounce and complaint notifications
 * arrive): the signing certificate is fetched from the SigningCertURL, which
 * must be https on an sns.<region>.amazonaws.com host, and the signature
 * checked over the canonical string of the message's fields
 * (docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html).
 * The HTTPS GET is injectable, so tests sign with their own certificate.
 */
import { createVerify, X509Certificate } from 'node:crypto';
import { z } from 'zod';

export const snsMessage = z.looseObject({
  Type: z.enum(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']),
  MessageId: z.string(),
  TopicArn: z.string(),
  Message: z.string(),
  Timestamp: z.string(),
  SignatureVersion: z.enum(['1', '2']),
  Signature: z.string(),
  SigningCertURL: z.string(),
  Subject: z.string().optional(),
  SubscribeURL: z.string().optional(),
  Token: z.string().optional(),
});
export type SnsMessage = z.infer<typeof snsMessage>;

/** GET a URL over HTTPS and return the body; injectable (tests, proxies). */
export type HttpsGet = (url: string) => Promise<string>;

export const httpsGet: HttpsGet = async (url) => {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000), redirect: 'error' });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return res.text();
};

const SNS_HOST = /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

/** Only Amazon's own SNS endpoints may serve certificates or confirm subscriptions. */
export function isSnsUrl(url: string | undefined): url is string {
  try {
    const u = url ? new URL(url) : undefined;
    return Boolean(u && u.protocol === 'https:' && SNS_HOST.test(u.hostname) && !u.username && !u.password && (u.port === '' || u.port === '443'));
  } catch {
    return false;
  }
}

const FIELDS = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
  UnsubscribeConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
} as const;

/** `Name\nvalue\n` for each field present, in the order AWS defines. */
export function stringToSign(m: SnsMessage): string {
  return FIELDS[m.Type].map((f) => (m[f] === undefined ? '' : `${f}\n${m[f]}\n`)).join('');
}

export function createSnsVerifier(get: HttpsGet = httpsGet) {
  const certificates = new Map<string, Promise<X509Certificate>>();
  const certificate = (url: string) => {
    let cert = certificates.get(url);
    if (!cert) {
      cert = get(url).then((pem) => new X509Certificate(pem));
      cert.catch(() => certificates.delete(url));
      certificates.set(url, cert);
    }
    return cert;
  };
  /** Why the message is not Amazon's, or null when its signature holds. */
  return async function verify(m: SnsMessage, now = new Date()): Promise<string | null> {
    if (!isSnsUrl(m.SigningCertURL)) return 'SigningCertURL is not an https URL on an sns.<region>.amazonaws.com host';
    let cert: X509Certificate;
    try {
      cert = await certificate(m.SigningCertURL);
    } catch (err) {
      return `signing certificate unavailable: ${(err as Error).message}`;
    }
    if (now < new Date(cert.validFrom) || now > new Date(cert.validTo)) return 'signing certificate expired or not yet valid';
    const verifier = createVerify(m.SignatureVersion === '1' ? 'RSA-SHA1' : 'RSA-SHA256');
    verifier.update(stringToSign(m), 'utf8');
    return verifier.verify(cert.publicKey, m.Signature, 'base64') ? null : 'signature does not match';
  };
}
