import { getContext, setContext } from 'svelte';
import { categoryChoices, categoryLabel, type NeedCategory } from '$lib/domain/needCategory';
import type { Locale } from '$lib/i18n';
import type { ChoiceOption } from './boardView.svelte';

const KEY = Symbol('need-categories');

/** The district's need categories as the board's pieces use them (labels in the page's language). */
export interface BoardCategories {
	readonly list: readonly NeedCategory[];
	/** The live (not archived) ones, in the district's order: the columns and the add choices. */
	readonly live: readonly NeedCategory[];
	label(key: string): string;
	/** What a card may be set to; its current category stays listed even if archived since. */
	choices(current?: string): ChoiceOption[];
}

/** Called by the board page; getters so a reloaded list (invalidate) reaches every card. */
export function provideCategories(getList: () => readonly NeedCategory[], getLocale: () => Locale): void {
	setContext<BoardCategories>(KEY, {
		get list() {
			return getList();
		},
		get live() {
			return getList().filter((c) => !c.archived);
		},
		label: (key) => categoryLabel(getList(), key, getLocale()),
		choices: (current) => categoryChoices(getList(), getLocale(), current)
	});
}

export function useCategories(): BoardCategories {
	return getContext<BoardCategories>(KEY);
}
