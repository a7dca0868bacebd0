import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addAgendaItem, agendaItems, itemText, moveAgendaItem, readAgenda, removeAgendaItem, setAgendaDuration, totalMinutes } from '../../src/lib/docs/agenda';
import { docName, parseDocName } from '../../src/lib/docs/names';
import { applyTextDiff } from '../../src/lib/docs/text';

const sync = (a: Y.Doc, b: Y.Doc) => {
	Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
	Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
};

describe('agenda document', () => {
	it('adds, reorders, clamps and removes items', () => {
		const doc = new Y.Doc();
		const a = addAgendaItem(doc, { title: 'A', durationMinutes: 10 });
		const b = addAgendaItem(doc, { title: 'B', durationMinutes: 20 });
		const c = addAgendaItem(doc, { title: 'C' });
		moveAgendaItem(doc, c, 0);
		expect(readAgenda(doc).map((i) => i.title)).toEqual(['C', 'A', 'B']);
		moveAgendaItem(doc, c, 2);
		expect(readAgenda(doc).map((i) => i.title)).toEqual(['A', 'B', 'C']);
		moveAgendaItem(doc, a, 1);
		expect(readAgenda(doc).map((i) => i.title)).toEqual(['B', 'A', 'C']);
		setAgendaDuration(doc, b, 99999);
		expect(readAgenda(doc).find((i) => i.id === b)!.durationMinutes).toBe(600);
		expect(totalMinutes(readAgenda(doc))).toBe(620);
		removeAgendaItem(doc, a);
		expect(readAgenda(doc).map((i) => i.title)).toEqual(['B', 'C']);
	});

	it('keeps both a move and a concurrent edit of the same item', () => {
		const one = new Y.Doc();
		const two = new Y.Doc();
		const a = addAgendaItem(one, { title: '议题甲' });
		addAgendaItem(one, { title: '议题乙' });
		sync(one, two);
		moveAgendaItem(one, a, 1);
		itemText(agendaItems(two).get(a)!, 'title').insert(3, '（修改）');
		sync(one, two);
		expect(readAgenda(one)).toEqual(readAgenda(two));
		expect(readAgenda(one).map((i) => i.title)).toEqual(['议题乙', '议题甲（修改）']);
	});

	it('tolerates malformed items written by another client', () => {
		const doc = new Y.Doc();
		const m = new Y.Map<unknown>();
		m.set('order', 'x');
		m.set('duration', 'long');
		agendaItems(doc).set('bad', m);
		expect(readAgenda(doc)).toEqual([{ id: 'bad', order: 0, title: '', presenter: '', notes: '', durationMinutes: 0, proposalId: '', projectItemId: '' }]);
	});
});

describe('text diffs', () => {
	it('merges concurrent keystrokes in one field instead of replacing the value', () => {
		const one = new Y.Doc();
		const two = new Y.Doc();
		one.getText('t').insert(0, '社区治理');
		sync(one, two);
		applyTextDiff(one.getText('t'), '社区治理', '社区治理工作');
		applyTextDiff(two.getText('t'), '社区治理', '加强社区治理');
		sync(one, two);
		expect(one.getText('t').toString()).toBe('加强社区治理工作');
		expect(two.getText('t').toString()).toBe('加强社区治理工作');
	});

	it('never splits a surrogate pair', () => {
		const doc = new Y.Doc();
		const t = doc.getText('t');
		t.insert(0, 'a😀b');
		applyTextDiff(t, 'a😀b', 'a😃b');
		expect(t.toString()).toBe('a😃b');
	});
});

describe('document names', () => {
	const id = '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b';
	it('round-trips every kind', () => {
		for (const ref of [
			{ kind: 'agenda', meetingId: id },
			{ kind: 'minutes', meetingId: id },
			{ kind: 'board', committeeId: id, year: 2026 },
			{ kind: 'bulletin', scopeId: id, year: 2026, quarter: 3 }
		] as const) {
			expect(parseDocName(docName(ref))).toEqual(ref);
		}
	});
	it('refuses anything else', () => {
		for (const bad of ['agenda/x', `agenda/${id}/x`, `../agenda/${id}`, `minutes/${id.toUpperCase()}`, `bulletin/${id}/2026-Q5`, '', 'a'.repeat(300)]) {
			expect(parseDocName(bad)).toBeNull();
		}
	});
});
