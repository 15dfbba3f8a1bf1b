/**
 * The texts of Kakao's KOE error page (views/error.ejs), which the one Kakao error boundary renders
 * (http/kakao-errors.ts) on browser-facing kauth routes (docs/kakao-wire.md §3.4, §13.1).
 */
import type { Lang } from './lang.js';

/** What views/error.ejs reads from `t`. */
export const errorPageText: Record<Lang, { errorTitle: string }> = {
  ko: { errorTitle: '잘못된 요청입니다' },
  en: { errorTitle: 'Bad request' },
};

/** The KOE page texts (docs/kakao-wire.md §13.1). */
export const koeText: Record<string, { ko: string; en: string }> = {
  KOE001: { ko: '잘못된 요청입니다. 요청 파라미터를 확인해 주세요.', en: 'Bad request: check the request parameters.' },
  KOE004: { ko: '카카오 로그인이 활성화되지 않은 앱입니다.', en: 'Kakao Login is disabled for this app.' },
  KOE006: { ko: '등록되지 않은 리다이렉트 URI입니다.', en: 'The redirect URI is not registered for this app.' },
  KOE007: { ko: '등록되지 않은 로그아웃 리다이렉트 URI입니다.', en: 'The logout redirect URI is not registered for this app.' },
  KOE101: { ko: '앱 키가 올바르지 않습니다.', en: 'The app key (client_id) does not exist.' },
  KOE201: { ko: '지원하지 않는 response_type입니다.', en: 'Unsupported response_type.' },
  KOE205: { ko: '설정하지 않은 동의 항목을 요청했습니다.', en: 'A requested consent item is not configured for this app.' },
};
