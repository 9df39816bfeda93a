/**
 * The SMTP envelope sender (MAIL FROM, which becomes Return-Path): where
 * asynchronous bounce notices go. BOUNCE_ADDRESS when set, else the From
 * address. With BOUNCE_VERP=on each message gets its own address,
 * `bounces+<tag>@domain`, the tag being its Message-ID's local part
 * (`digest.<delivery id>` for digests), so a bounce names its message even
 * when it quotes nothing of it.
 */
import { parseMailbox } from './address.ts';

export interface EnvelopeConfig {
  from: string;
  bounceAddress?: string;
  verp?: boolean;
}

/** `<digest.1234@example.org>` → `digest.1234`. */
export const messageIdLocalPart = (messageId: string) => messageId.replace(/^<|>$/g, '').split('@')[0]!;

export function envelopeFrom(config: EnvelopeConfig, messageId: string): string {
  if (!config.bounceAddress) return parseMailbox(config.from).address;
  if (!config.verp) return config.bounceAddress;
  const at = config.bounceAddress.lastIndexOf('@');
  return `${config.bounceAddress.slice(0, at)}+${messageIdLocalPart(messageId)}${config.bounceAddress.slice(at)}`;
}

/**
 * The VERP tag in a recipient address of the bounce address, or undefined:
 * `bounces+digest.1234@example.org` → `digest.1234`. Case-insensitive on the
 * bounce address itself, since mail systems may change its case.
 */
export function verpTag(recipient: string, bounceAddress: string): string | undefined {
  const at = bounceAddress.lastIndexOf('@');
  const local = bounceAddress.slice(0, at).toLowerCase();
  const domain = bounceAddress.slice(at + 1).toLowerCase();
  const m = /^(.+?)\+(.+)@(.+)$/.exec(recipient);
  if (!m || m[1]!.toLowerCase() !== local || m[3]!.toLowerCase() !== domain) return undefined;
  return m[2];
}

/** True when `recipient` is the bounce address or one of its VERP forms. */
export function isBounceRecipient(recipient: string, bounceAddress: string): boolean {
  return recipient.toLowerCase() === bounceAddress.toLowerCase() || verpTag(recipient, bounceAddress) !== undefined;
}
