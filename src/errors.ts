/**
 * The one error type the HTTP layer turns into a 4xx answer
 * `{ error, message, details? }` (and the pages into an error page, the CLI
 * into one line). Domain modules throw their own subclasses (SubscriberError,
 * AdminError, …) so they never import from the HTTP layer; anything that is
 * not an AppError is a bug and becomes a bare 500.
 */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}
