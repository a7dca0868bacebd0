import { getContext, setContext } from 'svelte';
import type { CommentThreads } from './threads.svelte';

/*
 * Board cards are rendered deep inside the lists; the board page hands its threads down by
 * context instead of through every panel, row and card. Absent (another page using the card
 * components) means no comment button.
 */

const KEY = Symbol('card-comments');

export interface CardCommentsHolder {
	store: CommentThreads | null;
}

export function provideCardComments(holder: CardCommentsHolder): void {
	setContext(KEY, holder);
}

export function useCardComments(): CardCommentsHolder | undefined {
	return getContext<CardCommentsHolder | undefined>(KEY);
}
