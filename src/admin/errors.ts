/**
 * Why an admin request cannot be done. Carries an HTTP status and a stable
 * code: the API's error handler answers it as `{ error, message }`, the pages
 * as an error page, the CLI as one line on stderr.
 */
export class AdminError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: 'not_found' | 'conflict' | 'bad_request',
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AdminError';
  }
}
