import type { Account, App } from '../../domain/model.js';
import type { Store } from '../../store/types.js';
import { effectiveChannelRelation } from '../../kakao/channel-relation.js';
import { scopeInfo } from '../../domain/scopes.js';
import type { ConsentNeeds } from '../consent-needs.js';
import type { Lang } from '../../http/lang.js';
import type { ConsentChoice } from './login-queue.js';

export interface ConsentTermView {
  tag: string;
  title: string;
  url: string;
  required: boolean;
}
export interface ConsentItemView {
  id: string;
  label: string;
  required: boolean;
}

/**
 * One "카카오 개인정보 제3자 제공 동의" box: its own checkbox (no form field: it ticks its items) and the
 * items listed under it, each still its own `scopes` box so the POST is checked item by item.
 * Differs from Kakao: Kakao lists the required items as text under their box, without checkboxes.
 */
export interface PrivacyBoxView {
  required: boolean;
  items: ConsentItemView[];
}

/**
 * How Kakao groups the screen today (docs/kakao-wire.md §4.2): "카카오 로그인 동의" (the personal
 * information Kakao provides, one box for the required items and one for the optional ones), then
 * "{app} 서비스 동의" (the 14+ item and the app's terms), then the channel row.
 */
export interface ConsentLayout {
  /** The section headings are drawn when the service section exists (Simple Signup apps). */
  headings: boolean;
  privacy: PrivacyBoxView[];
  service: { age14: boolean; terms: ConsentTermView[] } | null;
}

/** What the consent screen shows, and so what its POST must satisfy. Views only display this. */
export interface ConsentScreen {
  sync: boolean;
  firstLink: boolean;
  terms: ConsentTermView[];
  items: ConsentItemView[];
  age14: boolean;
  channel: { publicId: string; name: string } | null;
  layout: ConsentLayout;
}

function channelAlreadyAdded(store: Store, account: Account, publicId: string): boolean {
  return effectiveChannelRelation(store.channels, account, publicId).relation === 'ADDED';
}

/**
 * The Simple Signup screen (Kakao Sync apps) or the ordinary consent screen, per docs/kakao-wire.md §3.3,
 * §8.1 and §8.4: first link shows everything first-screen (terms, required and optional items, the
 * 14+ item, the channel); a linked user sees only what `scope=` / `service_terms=` still lack.
 */
export function consentScreen(store: Store, app: App, account: Account, needs: ConsentNeeds, asked: string[], askedTags: string[], lang: Lang): ConsentScreen {
  const sync = !!app.simpleSignup;
  const allTerms = app.simpleSignup?.terms ?? [];
  const termsShown = needs.firstLink
    ? askedTags.length ? allTerms.filter((t) => askedTags.includes(t.tag)) : allTerms
    : allTerms.filter((t) => needs.terms.includes(t.tag));

  const itemIds = needs.firstLink
    ? Object.entries(app.consentItems)
        .filter(([id, level]) => level !== 'on-use' || asked.includes(id))
        .map(([id]) => id)
    : needs.scopes;
  const items = itemIds.map((id) => {
    const level = app.consentItems[id];
    return {
      id,
      label: scopeInfo(id)?.displayName[lang] ?? id,
      // "Consent during use" items asked for explicitly are shown as required (docs/kakao-wire.md §4.2).
      required: level === 'required' || (level === 'on-use' && asked.includes(id)),
    };
  });
  // Required first, as Kakao lists them.
  items.sort((a, b) => Number(b.required) - Number(a.required));

  const channel = sync && needs.firstLink && app.channel && account.talkUser && !channelAlreadyAdded(store, account, app.channel.publicId)
    ? { publicId: app.channel.publicId, name: app.channel.name }
    : null;

  const terms = termsShown.map((t) => ({ tag: t.tag, title: t.title[lang], url: t.url, required: t.required }));
  const age14 = sync && needs.age14;
  return { sync, firstLink: needs.firstLink, terms, items, age14, channel, layout: layoutOf(items, terms, age14) };
}

/**
 * The grouping decisions, so the template only loops (docs/architecture.md §4.4). UNCONFIRMED: the
 * 14+ item leads the service section; optional items share one [선택] box; no headings when only
 * Kakao's items are shown (docs/unconfirmed.md).
 */
function layoutOf(items: ConsentItemView[], terms: ConsentTermView[], age14: boolean): ConsentLayout {
  const privacy = [true, false]
    .map((required) => ({ required, items: items.filter((i) => i.required === required) }))
    .filter((box) => box.items.length > 0);
  const service = age14 || terms.length ? { age14, terms } : null;
  return { headings: service !== null && privacy.length > 0, privacy, service };
}

export interface ConsentAnswer {
  terms: string[];
  scopes: string[];
  age14: boolean;
  channel: boolean;
}

/** The server-side twin of the disabled button: every required item must be there. */
export function missingRequired(screen: ConsentScreen, answer: ConsentAnswer): string[] {
  const missing: string[] = [];
  for (const t of screen.terms) if (t.required && !answer.terms.includes(t.tag)) missing.push(`terms:${t.tag}`);
  for (const i of screen.items) if (i.required && !answer.scopes.includes(i.id)) missing.push(`scopes:${i.id}`);
  if (screen.age14 && !answer.age14) missing.push('age14');
  return missing;
}

/** Only what was shown can be agreed: anything else in the POST is dropped. */
export function agreedFrom(screen: ConsentScreen, answer: ConsentAnswer): ConsentAnswer {
  return {
    terms: screen.terms.filter((t) => answer.terms.includes(t.tag)).map((t) => t.tag),
    scopes: screen.items.filter((i) => answer.scopes.includes(i.id)).map((i) => i.id),
    age14: screen.age14 && answer.age14,
    channel: !!screen.channel && answer.channel,
  };
}

/** A form POST, or a scripted answer: "all", "required", or explicit lists. */
export function answerFrom(screen: ConsentScreen, choice: ConsentChoice | URLSearchParams): ConsentAnswer {
  if (choice instanceof URLSearchParams) {
    return { terms: choice.getAll('terms'), scopes: choice.getAll('scopes'), age14: choice.get('age14') === 'on', channel: choice.get('channel') === 'on' };
  }
  if (choice === 'all') {
    return { terms: screen.terms.map((t) => t.tag), scopes: screen.items.map((i) => i.id), age14: screen.age14, channel: !!screen.channel };
  }
  const required = {
    terms: screen.terms.filter((t) => t.required).map((t) => t.tag),
    scopes: screen.items.filter((i) => i.required).map((i) => i.id),
    age14: screen.age14,
    channel: false,
  };
  if (choice === 'required') return required;
  return {
    terms: [...new Set([...required.terms, ...(choice.terms ?? [])])],
    scopes: [...new Set([...required.scopes, ...(choice.scopes ?? [])])],
    age14: choice.age14 ?? screen.age14,
    channel: choice.channel ?? false,
  };
}
