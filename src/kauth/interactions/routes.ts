import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { Account } from '../../domain/model.js';
import { KakaoAuthError } from '../../kakao/errors.js';
import { readForm } from '../../http/body.js';
import { switchAccountUrl } from '../authorize-params.js';
import { pickLang, type Lang } from '../../http/lang.js';
import { messages } from '../i18n.js';
import { renderPage } from '../../http/render.js';
import { agreedFrom, answerFrom, missingRequired, type ConsentAnswer } from './consent-model.js';
import { linkAndGrant, refusedUnder14, screenOf } from './consent-step.js';
import { guardianPage, guardianProblems, needsGuardian } from './guardian-model.js';
import type { RecordConsentDeps } from './record-consent.js';
import { createTestAccount } from './create-account.js';
import { LOGIN_TICKET_PARAM, type ConsentChoice, type LoginQueue } from './login-queue.js';

export interface InteractionDeps extends RecordConsentDeps {
  provider: Provider;
  loginQueue: LoginQueue;
  /** The login page creates accounts only while the store holds fewer than this many. */
  maxAccounts: number;
}

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

const LANG_COOKIE = '_kakao_lang';

const badInteraction = (description: string) => new KakaoAuthError(400, 'invalid_request', description, 'KOE001');

/**
 * The Kakao Account login page, the consent screen and the guardian-consent step (docs/kakao-wire.md
 * §3.3, §4): GET dispatches
 * on the pending prompt; each POST re-reads the interaction and checks the prompt it expects, so a
 * form cannot be replayed against another step or another interaction. The handlers are mounted as
 * rows of kauth's route table (kauth/routes.ts).
 */
export function interactionPages(deps: InteractionDeps) {
  const { provider, store } = deps;

  async function load(ctx: Context): Promise<Details> {
    let details: Details;
    try {
      details = await provider.interactionDetails(ctx.req, ctx.res);
    } catch {
      throw badInteraction('the login session expired or was already used; start again from the app');
    }
    if (details.uid !== ctx.params.uid) throw badInteraction('this form belongs to another login attempt');
    return details;
  }

  /**
   * The page language: a `lang` the user picked on these pages (kept in a cookie so the consent step
   * after the login step keeps it), else the authorize `lang`, else Accept-Language.
   */
  function langOf(ctx: Context, details: Details): Lang {
    const picked = ctx.query.lang;
    if (picked === 'ko' || picked === 'en') {
      ctx.cookies.set(LANG_COOKIE, picked, { httpOnly: true, sameSite: 'lax', signed: false, overwrite: true });
      return picked;
    }
    const kept = ctx.cookies.get(LANG_COOKIE, { signed: false });
    return pickLang(kept ?? details.params.lang, ctx.get('accept-language'));
  }

  function appOf(details: Details) {
    const found = store.apps.viewByClientId(String(details.params.client_id)); // the pages only read it
    if (!found) throw badInteraction('unknown app');
    return found.app;
  }

  async function finishLogin(ctx: Context, accountId: string) {
    const result = { login: { accountId }, select_account: {}, create: {} };
    await provider.interactionFinished(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
  }

  async function showLogin(ctx: Context, details: Details, mode: 'login' | 'create' | 'select', error?: string) {
    const lang = langOf(ctx, details);
    const app = appOf(details);
    const sessionAccount = details.session?.accountId ? store.accounts.get(details.session.accountId) : undefined;
    await renderPage(ctx, 'login', {
      lang,
      t: messages[lang],
      uid: details.uid,
      mode,
      app: { name: app.name, iconUrl: app.iconUrl ?? null },
      // Views: the page only displays them (50 copies were ~1% of a login flow's CPU).
      personas: store.accounts.viewList(50),
      sessionAccount: sessionAccount ?? null,
      loginHint: typeof details.params.login_hint === 'string' ? details.params.login_hint : '',
      error: error ?? null,
      langQuery: `lang=${lang}`,
    }, error ? 400 : 200);
  }

  /**
   * Who is consenting to what. An identity-verified child on an app with the 14+ setting gets the
   * "cannot use this service" page instead (null): no screen, no link.
   */
  async function consentSubject(ctx: Context, details: Details) {
    const lang = langOf(ctx, details);
    const app = appOf(details);
    const accountId = details.session?.accountId;
    const account = accountId ? store.accounts.get(accountId) : undefined;
    if (!account) throw badInteraction('no Kakao Account is logged in');
    if (refusedUnder14(app, account, deps.clock.date())) {
      await renderPage(ctx, 'refused', { lang, t: messages[lang], app: { name: app.name } }, 403);
      return null;
    }
    return { lang, app, account };
  }

  async function showConsent(ctx: Context, details: Details, error?: string) {
    const subject = await consentSubject(ctx, details);
    if (!subject) return;
    const { lang, app, account } = subject;
    const screen = screenFor(details, account, lang);
    await renderPage(ctx, 'consent', {
      lang,
      t: messages[lang],
      uid: details.uid,
      app: { name: app.name, iconUrl: app.iconUrl ?? null, companyName: app.companyName ?? null },
      account: { nickname: account.nickname, email: account.email },
      switchAccountUrl: switchAccountUrl(details.params),
      screen,
      error: error ?? null,
      langQuery: `lang=${lang}`,
    }, error ? 400 : 200);
  }

  function screenFor(details: Details, account: Account, lang: Lang) {
    const screen = screenOf(store, appOf(details), account, details.params, lang);
    if (!screen) throw badInteraction('unknown app');
    return screen;
  }

  async function showInteraction(ctx: Context) {
    const details = await load(ctx);
    const prompt = details.prompt.name;
    // A scripted login reaches only the authorize request it was bound to (login-queue.ts).
    const ticket = typeof details.params[LOGIN_TICKET_PARAM] === 'string' ? details.params[LOGIN_TICKET_PARAM] : undefined;
    if (prompt === 'consent') {
      const scripted = deps.loginQueue.takeConsent(ticket);
      if (scripted) return completeConsent(ctx, details, scripted);
      return showConsent(ctx, details);
    }
    const scripted = deps.loginQueue.login(ticket);
    // The test said who logs in: no page is shown.
    if (scripted) return finishLogin(ctx, scripted.accountId);
    if (prompt === 'create' || ctx.query.mode === 'create') return showLogin(ctx, details, 'create');
    if (prompt === 'select_account') return showLogin(ctx, details, 'select');
    return showLogin(ctx, details, 'login');
  }

  /**
   * A login form may be submitted until it succeeds, once: a finished login waits only for the
   * browser to follow its redirect. (Without this, one interaction reused created thousands of
   * accounts.)
   */
  async function loadPendingLogin(ctx: Context): Promise<Details> {
    const details = await load(ctx);
    if (!['login', 'select_account', 'create'].includes(details.prompt.name)) throw badInteraction('no login is pending');
    if (details.result !== undefined) throw badInteraction('this login was already completed; continue in the app, or start again from the app');
    return details;
  }

  async function submitLogin(ctx: Context) {
    const details = await loadPendingLogin(ctx);
    const form = await readForm(ctx);
    const accountId = form.get('account');
    const email = form.get('email')?.trim();
    const account = accountId ? store.accounts.get(accountId) : email ? store.accounts.findByEmail(email) : undefined;
    if (!account) {
      const lang = langOf(ctx, details);
      return showLogin(ctx, details, 'login', messages[lang].unknownEmail);
    }
    return finishLogin(ctx, account.id);
  }

  async function submitCreate(ctx: Context) {
    const details = await loadPendingLogin(ctx);
    const form = await readForm(ctx);
    const created = await createTestAccount(store, form, deps.maxAccounts);
    if ('error' in created) return showLogin(ctx, details, 'create', created.error);
    return finishLogin(ctx, created.account.id);
  }

  async function showGuardian(ctx: Context, details: Details, agreed: ConsentAnswer, form?: URLSearchParams) {
    const subject = await consentSubject(ctx, details);
    if (!subject) return;
    const { lang, app, account } = subject;
    await renderPage(ctx, 'guardian', {
      lang,
      t: messages[lang],
      uid: details.uid,
      app: { name: app.name, iconUrl: app.iconUrl ?? null },
      account: { nickname: account.nickname, email: account.email },
      page: guardianPage(agreed, form),
      error: form ? messages[lang].guardianMissing : null,
      langQuery: `lang=${lang}`,
    }, form ? 400 : 200);
  }

  /**
   * Shared by the form POSTs (the consent screen's, and the guardian step's, which carries the same
   * answer again) and scripted logins: the same rules for all. A scripted consent stands for the
   * guardian's too (docs/kakao-wire.md §4.5).
   */
  async function completeConsent(ctx: Context, details: Details, choice: ConsentChoice | URLSearchParams, step: 'consent' | 'guardian' = 'consent') {
    const subject = await consentSubject(ctx, details);
    if (!subject) return;
    const { lang, app, account } = subject;
    const screen = screenFor(details, account, lang);
    const answer = answerFrom(screen, choice);
    const missing = missingRequired(screen, answer);
    if (missing.length) {
      if (!(choice instanceof URLSearchParams)) throw badInteraction(`scripted consent lacks required items: ${missing.join(', ')}`);
      return showConsent(ctx, details, messages[lang].missingRequired);
    }
    const agreed = agreedFrom(screen, answer);
    if (choice instanceof URLSearchParams && needsGuardian(app, account, deps.clock.date())) {
      if (step === 'consent') return showGuardian(ctx, details, agreed);
      if (guardianProblems(choice).length) return showGuardian(ctx, details, agreed, choice);
    }
    const grant = await linkAndGrant(deps, app, account, agreed, String(details.params.client_id), details.grantId);
    await provider.interactionFinished(ctx.req, ctx.res, { consent: { grantId: grant.jti } }, { mergeWithLastSubmission: true });
  }

  async function submitConsent(ctx: Context) {
    const details = await load(ctx);
    if (details.prompt.name !== 'consent') throw badInteraction('no consent is pending');
    return completeConsent(ctx, details, await readForm(ctx));
  }

  /** The guardian step's POST: the consent answer again (checked again), and the guardian's. */
  async function submitGuardian(ctx: Context) {
    const details = await load(ctx);
    if (details.prompt.name !== 'consent') throw badInteraction('no consent is pending');
    return completeConsent(ctx, details, await readForm(ctx), 'guardian');
  }

  async function cancel(ctx: Context) {
    await load(ctx);
    await provider.interactionFinished(ctx.req, ctx.res, { error: 'access_denied', error_description: 'User denied access' }, { mergeWithLastSubmission: false });
  }

  return { showInteraction, submitLogin, submitCreate, submitConsent, submitGuardian, cancel };
}
