/**
 * Why an admin request cannot be done. Carries an HTTP status and a stable
 * code: the API's error handler answers it as `{ error, message }`, the pages
 * as an error page, the CLI as one line on stderr.
 */
import { AppError } from '../errors.ts';

export class AdminError extends AppError {
  constructor(statusCode: number, override readonly code: 'not_found' | 'conflict' | 'bad_request', message: string, details?: unknown) {
    super(statusCode, code, message, details);
    this.name = 'AdminError';
  }
}
