import type * as Y from 'yjs';

/**
 * Applies the change from `before` to `after` to a Y.Text as one delete plus one insert
 * around the common prefix and suffix. Replacing the whole value instead would erase
 * whatever another person typed into the same field at the same moment.
 */
export function applyTextDiff(ytext: Y.Text, before: string, after: string): void {
	if (before === after) return;
	let start = 0;
	const max = Math.min(before.length, after.length);
	while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
	let endBefore = before.length;
	let endAfter = after.length;
	while (endBefore > start && endAfter > start && before.charCodeAt(endBefore - 1) === after.charCodeAt(endAfter - 1)) {
		endBefore--;
		endAfter--;
	}
	// Never split a surrogate pair (emoji, rare CJK extension characters).
	if (start > 0 && isHighSurrogate(before.charCodeAt(start - 1))) start--;
	if (endBefore < before.length && isLowSurrogate(before.charCodeAt(endBefore))) {
		endBefore++;
		endAfter++;
	}
	const doc = ytext.doc;
	const run = () => {
		if (endBefore > start) ytext.delete(start, endBefore - start);
		if (endAfter > start) ytext.insert(start, after.slice(start, endAfter));
	};
	if (doc) doc.transact(run);
	else run();
}

const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;
