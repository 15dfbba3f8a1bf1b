import { authErrors } from '../kakao/errors.js';

/**
 * Kakao's "one value per parameter" on kauth: a repeated parameter is a 400 KOE001. Takes what the
 * request holds under one name: a query value (`ctx.query[name]`) or a form's `getAll(name)`.
 */
export function singleParam(name: string, value: string | readonly string[] | undefined): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  if (value.length > 1) throw authErrors.invalidRequest(`parameter ${name} must not be provided twice`);
  return value[0];
}
