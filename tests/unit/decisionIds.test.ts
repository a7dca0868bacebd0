import { EditorState } from '@tiptap/pm/state';
import { describe, expect, it } from 'vitest';
import { DECISION_NODE, uniqueIdPlugin } from '../../src/lib/docs/decision';
import { isAllowedLink, minutesSchema } from '../../src/lib/docs/minutes';

const schema = minutesSchema();
const decision = (id: string | null, text: string) =>
	schema.nodes[DECISION_NODE]!.create({ id, units: '', dueDate: '' }, schema.nodes.paragraph!.create(null, schema.text(text)));

function stateWith(...blocks: ReturnType<typeof decision>[]) {
	return EditorState.create({ schema, doc: schema.nodes.doc!.create(null, [schema.nodes.paragraph!.create(null, schema.text('开头')), ...blocks]), plugins: [uniqueIdPlugin()] });
}

function ids(state: EditorState): string[] {
	const out: string[] = [];
	state.doc.descendants((n) => {
		if (n.type.name === DECISION_NODE) out.push(n.attrs.id as string);
		return n.type.name !== DECISION_NODE;
	});
	return out;
}

describe('decision block ids', () => {
	it('gives a new block an id', () => {
		let state = stateWith();
		state = state.apply(state.tr.insert(state.doc.content.size, decision(null, '新决议')));
		const [id] = ids(state);
		expect(id).toMatch(/^[0-9a-f-]{36}$/);
	});

	it('a pasted copy gets a new id; the original keeps its own, even when the copy lands above it', () => {
		let state = stateWith(decision('original-id', '原决议'));
		const original = state.doc.lastChild!;
		// Paste a copy above the original (right after the first paragraph).
		state = state.apply(state.tr.insert(state.doc.firstChild!.nodeSize, original.copy(original.content)));
		const [copy, kept] = ids(state);
		expect(kept).toBe('original-id');
		expect(copy).not.toBe('original-id');
		expect(copy).toMatch(/^[0-9a-f-]{36}$/);
	});

	it('cut and paste keeps the id', () => {
		let state = stateWith(decision('cut-me', '要移动的决议'));
		const node = state.doc.lastChild!;
		const from = state.doc.content.size - node.nodeSize;
		state = state.apply(state.tr.delete(from, state.doc.content.size));
		expect(ids(state)).toEqual([]);
		state = state.apply(state.tr.insert(0, node));
		expect(ids(state)).toEqual(['cut-me']);
	});

	it('leaves distinct ids alone', () => {
		let state = stateWith(decision('a', '甲'), decision('b', '乙'));
		state = state.apply(state.tr.insertText('！', 3));
		expect(ids(state)).toEqual(['a', 'b']);
	});
});

describe('links in minutes', () => {
	it('allow http, https and mailto only', () => {
		for (const ok of ['https://www.gov.cn', 'http://example.org/a', 'mailto:office@example.org', ' HTTPS://X.CN ']) expect(isAllowedLink(ok), ok).toBe(true);
		for (const bad of ['javascript:alert(1)', 'data:text/html,x', 'ftp://x', 'file:///etc/passwd', 'vbscript:x', '//evil.example']) expect(isAllowedLink(bad), bad).toBe(false);
	});
});
