/**
 * Why a link or request about a subscriber cannot be honoured. Carries an HTTP
 * status and a stable code so the API's one error handler can answer it as
 * `{ error, message }`; the domain itself knows nothing of HTTP beyond that.
 */
import { AppError } from '../errors.ts';

export class SubscriberError extends AppError {
  constructor(statusCode: number, override readonly code: 'invalid_link' | 'link_expired' | 'link_no_longer_valid' | 'not_confirmed', message: string, details?: unknown) {
    super(statusCode, code, message, details);
    this.name = 'SubscriberError';
  }
}

export const invalidLink = () =>
  new SubscriberError(401, 'invalid_link', 'this link is not valid; copy the whole link from the email');
export const expiredLink = () =>
  new SubscriberError(410, 'link_expired', 'this confirmation link has expired; subscribe again to get a new one');
export const goneLink = () =>
  new SubscriberError(410, 'link_no_longer_valid', 'this link is no longer valid; the subscription it belonged to was erased');
export const staleConfirmLink = () =>
  new SubscriberError(410, 'link_no_longer_valid', 'this confirmation link is no longer valid; subscribe again to get a new one');
export const neverConfirmed = () =>
  new SubscriberError(409, 'not_confirmed', 'this address was never confirmed; subscribe again to get a confirmation email');
