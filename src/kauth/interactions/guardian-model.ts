/**
 * The guardian-consent step (보호자 동의, docs/kakao-wire.md §4.5): an identity-verified user Kakao
 * knows to be under 14, on an app without the 14+ setting, is asked for a legal guardian's consent
 * after the consent screen. What the step asks and what a refusal does are UNCONFIRMED
 * (docs/unconfirmed.md): the guardian's name and phone number are asked, and "동의하지 않음" ends the
 * login like Cancel. Differs from Kakao: Kakao verifies the guardian's identity; nothing is verified here.
 */
import type { Account, App } from '../../domain/model.js';
import { knownUnder14 } from '../../kakao/age-rules.js';
import type { ConsentAnswer } from './consent-model.js';

/** Apps with the 14+ setting refuse these users outright (the refusal page); the others ask a guardian. */
export function needsGuardian(app: App, account: Account, now: Date): boolean {
  return !app.simpleSignup?.ageCheck14 && knownUnder14(account, now);
}

/** One hidden field of the guardian form: the consent answer travels on, to be checked again. */
export interface HiddenField {
  name: string;
  value: string;
}

/** What the guardian page shows. Views only display this. */
export interface GuardianPage {
  hidden: HiddenField[];
  name: string;
  phone: string;
}

/** The consent answer as the consent form's own fields, so the guardian POST is checked like the consent POST. */
function hiddenFields(agreed: ConsentAnswer): HiddenField[] {
  return [
    ...agreed.terms.map((value) => ({ name: 'terms', value })),
    ...agreed.scopes.map((value) => ({ name: 'scopes', value })),
    ...(agreed.age14 ? [{ name: 'age14', value: 'on' }] : []),
    ...(agreed.channel ? [{ name: 'channel', value: 'on' }] : []),
  ];
}

export function guardianPage(agreed: ConsentAnswer, form?: URLSearchParams): GuardianPage {
  return { hidden: hiddenFields(agreed), name: form?.get('guardian_name') ?? '', phone: form?.get('guardian_phone') ?? '' };
}

const PHONE = /^\+?[0-9][0-9 -]{6,18}[0-9]$/;

/** The guardian's answer: the fields missing or malformed (none when complete). */
export function guardianProblems(form: URLSearchParams): string[] {
  const problems: string[] = [];
  const name = form.get('guardian_name')?.trim() ?? '';
  if (name === '' || name.length > 40) problems.push('guardian_name');
  if (!PHONE.test(form.get('guardian_phone')?.trim() ?? '')) problems.push('guardian_phone');
  if (form.get('guardian_agree') !== 'on') problems.push('guardian_agree');
  return problems;
}
