import { getContext, setContext } from 'svelte';
import { translateLoose, translator, type Locale, type Params, type Translate } from './index';

const KEY = Symbol('i18n');

export interface I18n {
	readonly locale: Locale;
	t: Translate;
	/** For keys that arrive as data (server error codes). */
	tl: (key: string, params?: Params) => string;
}

/** Called once by the root layout; the locale comes from the server (cookie or profile). */
export function provideI18n(getLocale: () => Locale): void {
	setContext<I18n>(KEY, {
		get locale() {
			return getLocale();
		},
		t: (key, params) => translator(getLocale())(key, params),
		tl: (key, params) => translateLoose(getLocale(), key, params)
	});
}

export function useI18n(): I18n {
	return getContext<I18n>(KEY);
}
