/**
 * The texts of Kakao's KOE error page (views/error.ejs), which the one Kakao error boundary renders
 * (http/kakao-errors.ts) on browser-facing kauth routes (docs/kakao-wire.md §3.4, §13.1).
 *
 * The page reads like Kakao's: a heading with the code ("앱 관리자 설정 오류 (KOE006)"), one line
 * for the user naming the service, then the technical detail (the code's explanation, `error`,
 * `error_description`) below it.
 */
import type { Lang } from './lang.js';

/**
 * The codes that mean the app's own settings or request are wrong: Kakao's "app administrator
 * settings" page. UNCONFIRMED (docs/unconfirmed.md): Kakao's wording is known for KOE006; we use it
 * for every configuration code, and a plain "bad request" heading for the rest (KOE001, KOE002, KOE003).
 */
const ADMIN_SETTINGS = new Set(['KOE004', 'KOE006', 'KOE007', 'KOE101', 'KOE201', 'KOE202', 'KOE205']);

interface PageText {
  heading: (code: string) => string;
  /** The line for the user; `service` is the app's name when the request named a known app. */
  lead: (service: string | undefined) => string;
}

const ADMIN: Record<Lang, PageText> = {
  ko: {
    heading: (code) => `앱 관리자 설정 오류 (${code})`,
    lead: (service) => (service ? `${service} 서비스 설정에 오류가 있어, 이용할 수 없습니다.` : '서비스 설정에 오류가 있어, 이용할 수 없습니다.'),
  },
  en: {
    heading: (code) => `Admin Settings Issue (${code})`,
    lead: (service) => (service ? `${service} is unavailable due to an error in its service settings.` : 'This service is unavailable due to an error in its settings.'),
  },
};

const REQUEST: Record<Lang, PageText> = {
  ko: { heading: (code) => `잘못된 요청입니다 (${code})`, lead: () => '요청을 처리할 수 없습니다. 잠시 후 다시 시도해 주세요.' },
  en: { heading: (code) => `Bad request (${code})`, lead: () => 'The request cannot be processed. Please try again later.' },
};

/** What views/error.ejs shows above the technical detail. */
export function koePageText(code: string, lang: Lang, service: string | undefined): { title: string; heading: string; lead: string } {
  const text = (ADMIN_SETTINGS.has(code) ? ADMIN : REQUEST)[lang];
  const heading = text.heading(code);
  return { title: heading, heading, lead: text.lead(service) };
}

/** The KOE codes' technical explanations (docs/kakao-wire.md §13.1). */
export const koeText: Record<string, { ko: string; en: string }> = {
  KOE001: { ko: '잘못된 요청입니다. 요청 파라미터를 확인해 주세요.', en: 'Bad request: check the request parameters.' },
  KOE004: { ko: '카카오 로그인이 활성화되지 않은 앱입니다.', en: 'Kakao Login is disabled for this app.' },
  KOE006: { ko: '등록되지 않은 리다이렉트 URI입니다.', en: 'The redirect URI is not registered for this app.' },
  KOE007: { ko: '등록되지 않은 로그아웃 리다이렉트 URI입니다.', en: 'The logout redirect URI is not registered for this app.' },
  KOE101: { ko: '앱 키가 올바르지 않습니다.', en: 'The app key (client_id) does not exist.' },
  KOE201: { ko: '지원하지 않는 response_type입니다.', en: 'Unsupported response_type.' },
  KOE202: { ko: 'response_type이 token인 암시적 승인(Implicit grant)은 지원하지 않습니다.', en: 'The implicit grant (response_type=token) is not supported.' },
  KOE205: { ko: '설정하지 않은 동의 항목을 요청했습니다.', en: 'A requested consent item is not configured for this app.' },
};
