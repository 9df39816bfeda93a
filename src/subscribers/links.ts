/** The signed links in emails and on pages: `${PUBLIC_URL}/<purpose>?token=…`. */
import { signToken, type TokenPurpose, type TokenSecrets } from './tokens.ts';

export interface LinkSigner {
  secrets: TokenSecrets;
  publicUrl: string;
}

export function subscriberLink(signer: LinkSigner, purpose: TokenPurpose, subscriberId: string, now = new Date()): string {
  return `${signer.publicUrl}/${purpose}?token=${signToken(signer.secrets, purpose, subscriberId, now)}`;
}
