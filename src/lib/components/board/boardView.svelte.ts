import * as Y from 'yjs';
import { moveCard, type NeedView, type ResourceView } from '$lib/docs/board';
import type { LiveDocument, PresentUser } from '$lib/collab/liveDocument.svelte';

/*
 * What the board's pieces share: the filter state of one list, the filtering itself, the
 * move-among-visible-cards rule and the presence lookup. Kept out of the components so the
 * table and the card view behave identically.
 */

/** The two lists people edit, then the matching (proposals) and the year's tracked items. */
export type BoardTab = 'needs' | 'resources' | 'proposals' | 'projects';
export type BoardViewMode = 'table' | 'cards';

/** One list's filters. A rune class so both views and the filter bar share one instance. */
export class BoardFilter {
	/** A category (needs) or type (resources); '' means all. */
	group = $state('');
	status = $state('');
	/** Offering unit (resources only); '' means all. */
	unit = $state('');
	text = $state('');
	archived = $state(false);

	get active(): boolean {
		return this.group !== '' || this.status !== '' || this.unit !== '' || this.text.trim() !== '' || this.archived;
	}

	clear(): void {
		this.group = '';
		this.status = '';
		this.unit = '';
		this.text = '';
		this.archived = false;
	}
}

function matchesText(query: string, ...fields: string[]): boolean {
	const q = query.trim().toLocaleLowerCase();
	if (!q) return true;
	return fields.some((f) => f.toLocaleLowerCase().includes(q));
}

/**
 * `pinned` cards stay visible whatever the filters say: a card someone just added is empty
 * and would otherwise vanish under a text search the moment it is created.
 */
export function filterNeeds(list: NeedView[], f: BoardFilter, pinned: ReadonlySet<string>): NeedView[] {
	return list.filter(
		(n) =>
			pinned.has(n.id) ||
			((f.archived || !n.archived) &&
				(!f.group || n.category === f.group) &&
				(!f.status || n.status === f.status) &&
				matchesText(f.text, n.title, n.description))
	);
}

export function filterResources(list: ResourceView[], f: BoardFilter, pinned: ReadonlySet<string>): ResourceView[] {
	return list.filter(
		(r) =>
			pinned.has(r.id) ||
			((f.archived || !r.archived) &&
				(!f.group || r.type === f.group) &&
				(!f.status || r.status === f.status) &&
				(!f.unit || r.unitId === f.unit) &&
				matchesText(f.text, r.title, r.description))
	);
}

/**
 * Moves a card one step up or down among the cards the person sees (a filtered list or one
 * column), placing it just before or after its visible neighbour in the full order. Only the
 * moved card's own `order` changes, which is also what lets a part-time member reorder their
 * unit's resources without touching another unit's cards. Returns the new visible position.
 */
export function moveAmongVisible(map: Y.Map<Y.Map<unknown>>, all: readonly { id: string }[], visible: readonly { id: string }[], id: string, step: -1 | 1): number | null {
	const i = visible.findIndex((c) => c.id === id);
	const neighbour = visible[i + step];
	if (i < 0 || !neighbour) return null;
	const others = all.filter((c) => c.id !== id);
	const k = others.findIndex((c) => c.id === neighbour.id);
	if (k < 0) return null;
	moveCard(map, id, step < 0 ? k : k + 1);
	return i + step;
}

/** Other people whose cursor is in this card (one badge per connection). */
export function editorsOf(live: LiveDocument, cardId: string): PresentUser[] {
	return live.people.filter((p) => !p.isMe && p.focus?.itemId === cardId);
}

/** Another person whose cursor is in this very field, for outlining it in their colour. */
export function editorOfField(live: LiveDocument, cardId: string, field: string): PresentUser | undefined {
	return live.people.find((p) => !p.isMe && p.focus?.itemId === cardId && p.focus.field === field);
}

export interface ChoiceOption {
	value: string;
	label: string;
}

/** Options of a choice field from its constant list and its catalogue prefix. */
export function options<T extends string>(values: readonly T[], label: (value: T) => string): ChoiceOption[] {
	return values.map((value) => ({ value, label: label(value) }));
}

/** Element ids of card fields; one view is on screen at a time, so ids stay unique. */
export const fieldId = (cardId: string, field: string) => `card-${cardId}-${field}`;
