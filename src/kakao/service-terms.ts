/**
 * The service terms Kakao reports for an app (docs/kakao-wire.md §10): the 14+ item, when the app has
 * the setting, is a required term under its own tag, listed first as on the screen; then the
 * registered terms in registration order.
 */
import type { ServiceTerm, SimpleSignup } from '../domain/model.js';

/** What the service-terms APIs read of a term. */
export type ReportedTerm = Pick<ServiceTerm, 'tag' | 'required'>;

export function reportedTerms(signup: SimpleSignup): ReportedTerm[] {
  return signup.ageCheck14 ? [{ tag: signup.ageCheck14Tag, required: true }, ...signup.terms] : signup.terms;
}
