import { getContext, setContext } from 'svelte';
import { SvelteSet } from 'svelte/reactivity';

const KEY = Symbol('changed-cards');

/** Cards added or changed since the person's last visit, marked on the board until seen. */
export function provideChangedCards(): SvelteSet<string> {
	const set = new SvelteSet<string>();
	setContext(KEY, set);
	return set;
}

export function useChangedCards(): ReadonlySet<string> {
	return getContext<SvelteSet<string> | undefined>(KEY) ?? new Set<string>();
}
