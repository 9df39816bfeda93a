/**
 * The four ESP webhooks against a real app and Postgres: each provider's
 * signed sample suppresses, an unsigned or wrongly signed one gets 401 (also
 * when its body is malformed: authentication comes first), and a route whose
 * key is unset does not exist. SNS certificates come from an injected fetch,
 * serving a certificate made here with openssl, as the issue asks.
 */
import { execFileSync } from 'node:child_process';
import { createHmac, createSign, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.ts';
import { stringToSign, type SnsMessage } from '../../src/bounces/esp/sns.ts';
import { loadConfig } from '../../src/config.ts';
import { subscribers } from '../../src/db/schema.ts';
import { silentLogger } from '../../src/log.ts';
import { createOutboxMailer } from '../../src/mail/outbox.ts';
import { createTestDatabase } from '../helpers/postgres.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'paperboy-esp-'));
execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${dir}/sns.key`, '-out', `${dir}/sns.pem`, '-days', '2', '-subj', '/CN=sns.amazonaws.com'], { stdio: 'ignore' });
const snsKey = readFileSync(`${dir}/sns.key`, 'utf8');
const CERT_URL = 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-test.pem';
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:paperboy-ses';
const fetched: string[] = [];
const snsHttpsGet = async (url: string) => {
  fetched.push(url);
  if (url === CERT_URL) return readFileSync(`${dir}/sns.pem`, 'utf8');
  if (url.startsWith('https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription')) return '<ConfirmSubscriptionResponse/>';
  throw new Error(`unexpected GET ${url}`);
};

const sg = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const sgOther = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const MAILGUN_KEY = 'key-mailgun-signing-0123456789';
const POSTMARK_TOKEN = 'postmark-hook-token-abcdef';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let app: App;
let bare: App;
beforeAll(async () => {
  database = await createTestDatabase();
  const base = { DATABASE_URL: database.url, SECRET: 's'.repeat(40), LOG_LEVEL: 'silent' };
  const mailer = createOutboxMailer({ dir, from: 'paperboy <digest@example.org>' });
  app = await buildApp({
    config: loadConfig({
      ...base,
      SES_SNS_TOPIC_ARNS: TOPIC,
      SENDGRID_WEBHOOK_PUBLIC_KEY: sg.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
      MAILGUN_WEBHOOK_SIGNING_KEY: MAILGUN_KEY,
      POSTMARK_WEBHOOK_TOKEN: POSTMARK_TOKEN,
    }),
    db: database.db,
    log: silentLogger,
    mailer,
    snsHttpsGet,
  });
  bare = await buildApp({ config: loadConfig(base), db: database.db, log: silentLogger, mailer });
});
afterAll(async () => {
  await app?.close();
  await bare?.close();
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

const add = async (email: string) => (await database.db.insert(subscribers).values({ email, status: 'active' }).returning())[0]!;
const statusOf = async (id: string) => (await database.db.select().from(subscribers).where(eq(subscribers.id, id)))[0]!.status;
const post = (a: App, url: string, payload: string, headers: Record<string, string> = {}) =>
  a.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json', ...headers } });

function snsSigned(over: Partial<SnsMessage>, version: '1' | '2' = '2'): SnsMessage {
  const m = {
    Type: 'Notification',
    MessageId: 'a1b2c3',
    TopicArn: TOPIC,
    Message: '{}',
    Timestamp: new Date().toISOString(),
    SignatureVersion: version,
    Signature: '',
    SigningCertURL: CERT_URL,
    ...over,
  } as SnsMessage;
  m.Signature = createSign(version === '1' ? 'RSA-SHA1' : 'RSA-SHA256').update(stringToSign(m)).sign(snsKey, 'base64');
  return m;
}
const sesBounce = (email: string, bounceType = 'Permanent') =>
  JSON.stringify({ notificationType: 'Bounce', bounce: { bounceType, bouncedRecipients: [{ emailAddress: email, diagnosticCode: 'smtp; 550 5.1.1 user unknown' }] }, mail: {} });

describe('POST /webhooks/ses', () => {
  // SNS posts with Content-Type text/plain.
  const ses = (m: unknown) => post(app, '/webhooks/ses', JSON.stringify(m), { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': 'Notification' });

  it('confirms a signed SubscriptionConfirmation by fetching its SubscribeURL', async () => {
    const url = 'https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=x&Token=t0k';
    const r = await ses(snsSigned({ Type: 'SubscriptionConfirmation', Message: 'You have chosen to subscribe', SubscribeURL: url, Token: 't0k' }));
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ status: 'confirmed', applied: 0 });
    expect(fetched).toContain(url);
  });

  it('suppresses on a signed permanent bounce (signature versions 1 and 2) and on a complaint', async () => {
    const a = await add('ses-hard@example.org');
    const b = await add('ses-v1@example.org');
    const c = await add('ses-complaint@example.org');
    const soft = await add('ses-soft@example.org');
    expect((await ses(snsSigned({ Message: sesBounce(a.email) }))).statusCode).toBe(202);
    expect((await ses(snsSigned({ Message: sesBounce(b.email) }, '1'))).statusCode).toBe(202);
    expect((await ses(snsSigned({ Message: JSON.stringify({ notificationType: 'Complaint', complaint: { complainedRecipients: [{ emailAddress: c.email }] } }) }))).statusCode).toBe(202);
    expect((await ses(snsSigned({ Message: sesBounce(soft.email, 'Transient') }))).statusCode).toBe(202);
    expect([await statusOf(a.id), await statusOf(b.id), await statusOf(c.id), await statusOf(soft.id)]).toEqual(['bounced', 'bounced', 'complained', 'active']);
  });

  it('answers 401 to unsigned, wrongly signed or foreign-certificate messages, and 403 to another topic', async () => {
    const s = await add('ses-forged@example.org');
    const good = snsSigned({ Message: sesBounce(s.email) });
    expect((await ses({ ...good, Signature: undefined })).statusCode).toBe(401);
    expect((await ses({ ...good, Message: sesBounce('someone-else@example.org') })).statusCode).toBe(401);
    expect((await ses(snsSigned({ Message: sesBounce(s.email), SigningCertURL: 'https://sns.evil.example/cert.pem' }))).statusCode).toBe(401);
    expect((await post(app, '/webhooks/ses', '{not json', { 'content-type': 'text/plain' })).statusCode).toBe(401);
    const other = await ses(snsSigned({ Message: sesBounce(s.email), TopicArn: 'arn:aws:sns:eu-west-1:999999999999:theirs' }));
    expect(other.statusCode).toBe(403);
    expect(await statusOf(s.id)).toBe('active');
  });
});

describe('POST /webhooks/sendgrid', () => {
  const signed = (payload: string, key = sg.privateKey, ts = String(Math.floor(Date.now() / 1000))) => ({
    'x-twilio-email-event-webhook-timestamp': ts,
    'x-twilio-email-event-webhook-signature': sign('sha256', Buffer.from(ts + payload), key).toString('base64'),
  });

  it('suppresses on signed bounce and spamreport events, and ignores the rest', async () => {
    const a = await add('sg-bounce@example.org');
    const c = await add('sg-spam@example.org');
    const payload = JSON.stringify([
      { email: a.email, event: 'bounce', type: 'bounce', reason: '550 5.1.1 unknown user', sg_message_id: 'x' },
      { email: c.email, event: 'spamreport' },
      { email: 'sg-open@example.org', event: 'open' },
    ]);
    const r = await post(app, '/webhooks/sendgrid', payload, signed(payload));
    expect(r.statusCode).toBe(202);
    expect(r.json()).toEqual({ status: 'accepted', applied: 2 });
    expect([await statusOf(a.id), await statusOf(c.id)]).toEqual(['bounced', 'complained']);
  });

  it('answers 401 without a signature, with another key\'s, or for a changed body — before validating it', async () => {
    const s = await add('sg-forged@example.org');
    const payload = JSON.stringify([{ email: s.email, event: 'bounce', type: 'bounce' }]);
    expect((await post(app, '/webhooks/sendgrid', payload)).statusCode).toBe(401);
    expect((await post(app, '/webhooks/sendgrid', payload, signed(payload, sgOther.privateKey))).statusCode).toBe(401);
    expect((await post(app, '/webhooks/sendgrid', payload.replace('bounce"', 'bounce" '), signed(payload))).statusCode).toBe(401);
    expect((await post(app, '/webhooks/sendgrid', '{"not":"an array"}')).statusCode).toBe(401);
    // Signed but malformed: now validation speaks.
    const bad = '{"not":"an array"}';
    expect((await post(app, '/webhooks/sendgrid', bad, signed(bad))).statusCode).toBe(400);
    expect(await statusOf(s.id)).toBe('active');
  });
});

describe('POST /webhooks/mailgun', () => {
  const body = (event: Record<string, unknown>, key = MAILGUN_KEY) => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const token = 'f'.repeat(50);
    return JSON.stringify({ signature: { timestamp, token, signature: createHmac('sha256', key).update(timestamp + token).digest('hex') }, 'event-data': event });
  };

  it('suppresses on a signed permanent failure and a complaint, and only records a temporary one', async () => {
    const a = await add('mg-failed@example.org');
    const c = await add('mg-complained@example.org');
    const t = await add('mg-temp@example.org');
    expect((await post(app, '/webhooks/mailgun', body({ event: 'failed', severity: 'permanent', recipient: a.email, 'delivery-status': { description: 'No such user' } }))).statusCode).toBe(202);
    expect((await post(app, '/webhooks/mailgun', body({ event: 'complained', recipient: c.email }))).statusCode).toBe(202);
    expect((await post(app, '/webhooks/mailgun', body({ event: 'failed', severity: 'temporary', recipient: t.email }))).statusCode).toBe(202);
    expect([await statusOf(a.id), await statusOf(c.id), await statusOf(t.id)]).toEqual(['bounced', 'complained', 'active']);
  });

  it('answers 401 to a wrong or missing signature, and to a malformed body without one', async () => {
    const s = await add('mg-forged@example.org');
    expect((await post(app, '/webhooks/mailgun', body({ event: 'failed', severity: 'permanent', recipient: s.email }, 'wrong-key'))).statusCode).toBe(401);
    expect((await post(app, '/webhooks/mailgun', JSON.stringify({ 'event-data': { event: 'failed', severity: 'permanent', recipient: s.email } }))).statusCode).toBe(401);
    expect((await post(app, '/webhooks/mailgun', '[1,2')).statusCode).toBe(401);
    expect(await statusOf(s.id)).toBe('active');
  });
});

describe('POST /webhooks/postmark', () => {
  const basic = (password: string) => ({ authorization: `Basic ${Buffer.from(`postmark:${password}`).toString('base64')}` });

  it('suppresses on a HardBounce and a SpamComplaint with basic auth or a Bearer token', async () => {
    const a = await add('pm-hard@example.org');
    const c = await add('pm-spam@example.org');
    expect((await post(app, '/webhooks/postmark', JSON.stringify({ RecordType: 'Bounce', Type: 'HardBounce', Email: a.email, Details: 'smtp;550 5.1.1' }), basic(POSTMARK_TOKEN))).statusCode).toBe(202);
    expect((await post(app, '/webhooks/postmark', JSON.stringify({ RecordType: 'SpamComplaint', Email: c.email }), { authorization: `Bearer ${POSTMARK_TOKEN}` })).statusCode).toBe(202);
    expect([await statusOf(a.id), await statusOf(c.id)]).toEqual(['bounced', 'complained']);
  });

  it('answers 401 without or with wrong credentials, whatever the body', async () => {
    const s = await add('pm-forged@example.org');
    const payload = JSON.stringify({ RecordType: 'Bounce', Type: 'HardBounce', Email: s.email });
    expect((await post(app, '/webhooks/postmark', payload)).statusCode).toBe(401);
    expect((await post(app, '/webhooks/postmark', payload, basic(`${POSTMARK_TOKEN}x`))).statusCode).toBe(401);
    expect((await post(app, '/webhooks/postmark', '{"RecordType":', basic('nope'))).statusCode).toBe(401);
    const invalid = await post(app, '/webhooks/postmark', '{"RecordType":"Bounce"}', basic(POSTMARK_TOKEN));
    expect(invalid.statusCode).toBe(400);
    expect(await statusOf(s.id)).toBe('active');
  });
});

describe('unconfigured ESP webhooks', () => {
  it('do not exist without their keys', async () => {
    for (const url of ['/webhooks/ses', '/webhooks/sendgrid', '/webhooks/mailgun', '/webhooks/postmark']) {
      expect((await post(bare, url, '[]')).statusCode, url).toBe(404);
    }
  });
});
