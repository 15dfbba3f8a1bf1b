/**
 * The language of a page: Korean by default, English with `lang=en` or an English Accept-Language.
 * Shared by every page (kauth's login and consent pages, the KOE error page).
 */
export type Lang = 'ko' | 'en';

export function pickLang(explicit: unknown, acceptLanguage: string | undefined): Lang {
  if (explicit === 'en' || explicit === 'ko') return explicit;
  const first = (acceptLanguage ?? '').split(',')[0]?.trim().toLowerCase() ?? '';
  return first.startsWith('en') ? 'en' : 'ko';
}
