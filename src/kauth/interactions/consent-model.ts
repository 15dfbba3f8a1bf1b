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

/** What the consent screen shows, and so what its POST must satisfy. Views only display this. */
export interface ConsentScreen {
  sync: boolean;
  firstLink: boolean;
  terms: ConsentTermView[];
  items: ConsentItemView[];
  age14: boolean;
  channel: { publicId: string; name: string } | null;
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

  return {
    sync,
    firstLink: needs.firstLink,
    terms: termsShown.map((t) => ({ tag: t.tag, title: t.title[lang], url: t.url, required: t.required })),
    items,
    age14: sync && needs.firstLink && !!app.simpleSignup?.ageCheck14,
    channel,
  };
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
