import * as Y from 'yjs';
import { applyTextDiff } from '../docs/text';

type Field = HTMLInputElement | HTMLTextAreaElement;

export interface BindTextOptions {
	ytext: Y.Text;
	readOnly: boolean;
}

/**
 * Svelte action binding an <input>/<textarea> to a Y.Text. Local edits are applied as diffs;
 * remote edits are merged into the field keeping the caret where the user left it. While an
 * input method is composing (pinyin), remote edits wait: rewriting the field mid-composition
 * would cancel it. The composed text is then inserted at the place the composition started,
 * tracked as a Yjs relative position so it lands correctly among the remote edits.
 */
export function bindText(node: Field, options: BindTextOptions) {
	let { ytext } = options;
	let shadow = ytext.toString();
	let composing = false;
	let compositionStart: Y.RelativePosition | null = null;
	let compositionIndex = 0;
	const origin = Symbol('local-field');

	node.value = shadow;
	node.readOnly = options.readOnly;

	const applyLocal = () => {
		applyTextDiff(ytext, shadow, node.value);
		shadow = node.value;
	};

	const onInput = () => {
		if (composing) return;
		ytext.doc?.transact(() => applyLocal(), origin);
	};

	const onCompositionStart = () => {
		composing = true;
		compositionIndex = node.selectionStart ?? node.value.length;
		compositionStart = Y.createRelativePositionFromTypeIndex(ytext, compositionIndex);
	};

	const onCompositionEnd = () => {
		composing = false;
		const current = ytext.toString();
		if (current === shadow || !compositionStart) {
			ytext.doc?.transact(() => applyLocal(), origin);
			return;
		}
		// Remote edits arrived during the composition: re-base the local change onto them.
		const local = diff(shadow, node.value);
		const abs = Y.createAbsolutePositionFromRelativePosition(compositionStart, ytext.doc!);
		const base = (abs ? abs.index : compositionIndex) + (local.start - compositionIndex);
		const at = Math.max(0, Math.min(current.length, base));
		ytext.doc?.transact(() => {
			if (local.deleted > 0) ytext.delete(at, Math.min(local.deleted, current.length - at));
			if (local.inserted) ytext.insert(at, local.inserted);
		}, origin);
		shadow = ytext.toString();
		node.value = shadow;
		const caret = at + local.inserted.length;
		node.setSelectionRange(caret, caret);
	};

	const observer = (event: Y.YTextEvent, transaction: Y.Transaction) => {
		if (transaction.origin === origin) return;
		if (composing) return;
		let selStart = node.selectionStart ?? 0;
		let selEnd = node.selectionEnd ?? 0;
		let index = 0;
		for (const op of event.delta) {
			if (op.retain) index += op.retain;
			else if (typeof op.insert === 'string') {
				const len = op.insert.length;
				if (index < selStart) selStart += len;
				if (index < selEnd) selEnd += len;
				index += len;
			} else if (op.delete) {
				const d = op.delete;
				if (index < selStart) selStart -= Math.min(d, selStart - index);
				if (index < selEnd) selEnd -= Math.min(d, selEnd - index);
			}
		}
		shadow = ytext.toString();
		const focused = document.activeElement === node;
		node.value = shadow;
		if (focused) node.setSelectionRange(selStart, selEnd);
	};

	node.addEventListener('input', onInput);
	node.addEventListener('compositionstart', onCompositionStart);
	node.addEventListener('compositionend', onCompositionEnd);
	ytext.observe(observer);

	return {
		update(next: BindTextOptions) {
			node.readOnly = next.readOnly;
			if (next.ytext !== ytext) {
				ytext.unobserve(observer);
				ytext = next.ytext;
				shadow = ytext.toString();
				node.value = shadow;
				ytext.observe(observer);
			}
		},
		destroy() {
			node.removeEventListener('input', onInput);
			node.removeEventListener('compositionstart', onCompositionStart);
			node.removeEventListener('compositionend', onCompositionEnd);
			ytext.unobserve(observer);
		}
	};
}

function diff(before: string, after: string): { start: number; deleted: number; inserted: string } {
	let start = 0;
	const max = Math.min(before.length, after.length);
	while (start < max && before[start] === after[start]) start++;
	let endB = before.length;
	let endA = after.length;
	while (endB > start && endA > start && before[endB - 1] === after[endA - 1]) {
		endB--;
		endA--;
	}
	return { start, deleted: endB - start, inserted: after.slice(start, endA) };
}
