/** Why a profile change cannot be made; the API answers it as `{ error, message }`. */
import { AppError } from '../errors.ts';

export class ProfileError extends AppError {
  constructor(statusCode: number, override readonly code: 'unknown_paper' | 'invalid_rule', message: string) {
    super(statusCode, code, message);
    this.name = 'ProfileError';
  }
}

export const unknownPaper = (id: string) => new ProfileError(404, 'unknown_paper', `no paper ${id} is stored; it may have been removed`);
export const invalidRule = (message: string) => new ProfileError(400, 'invalid_rule', message);
