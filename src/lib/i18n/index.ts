import { en } from './en/index';
import { zhCN, type MessageKey } from './zh-CN/index';

export type { MessageKey };
export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'zh-CN';
export const LOCALE_COOKIE = 'gj_lang';

const catalogues: Record<Locale, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };

export function isLocale(value: unknown): value is Locale {
	return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

export function isMessageKey(value: string): value is MessageKey {
	return Object.prototype.hasOwnProperty.call(zhCN, value);
}

export type Params = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: Params) => string;

export function translate(locale: Locale, key: MessageKey, params?: Params): string {
	const template = catalogues[locale][key] ?? zhCN[key] ?? key;
	if (!params) return template;
	return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export function translator(locale: Locale): Translate {
	return (key, params) => translate(locale, key, params);
}

/** Translates a key that arrived as data (an error code from the server), falling back to a generic message. */
export function translateLoose(locale: Locale, key: string, params?: Params): string {
	return isMessageKey(key) ? translate(locale, key, params) : translate(locale, 'error.generic');
}

export function catalogue(locale: Locale): Record<MessageKey, string> {
	return catalogues[locale];
}
