import * as Y from 'yjs';
import { docName } from './names';

/*
 * The live agenda of one meeting: `agenda/<meetingId>`.
 *
 * Items live in a Y.Map keyed by a stable id, each with a fractional `order`. Reordering
 * changes one number, so an item moved by one person while another types in it keeps both
 * changes (moving a Y.Map inside a Y.Array would mean deleting and re-creating it).
 */

export const AGENDA_ITEMS = 'items';
export const TITLE_MAX = 200;
export const PRESENTER_MAX = 100;
export const NOTES_MAX = 5000;
export const DURATION_MAX = 600;

export type AgendaTextField = 'title' | 'presenter' | 'notes';

export interface AgendaItemView {
	id: string;
	order: number;
	title: string;
	presenter: string;
	notes: string;
	durationMinutes: number;
	/** The board proposal this item puts before the meeting, if any. */
	proposalId: string;
	/** The tracked item this item follows up (督办: overdue, due or needing help), if any. */
	projectItemId: string;
}

export const agendaDocName = (meetingId: string) => docName({ kind: 'agenda', meetingId });

export function agendaItems(doc: Y.Doc): Y.Map<Y.Map<unknown>> {
	return doc.getMap<Y.Map<unknown>>(AGENDA_ITEMS);
}

function newId(): string {
	return crypto.randomUUID();
}

function textOf(item: Y.Map<unknown>, field: AgendaTextField): Y.Text | null {
	const value = item.get(field);
	return value instanceof Y.Text ? value : null;
}

export function itemText(item: Y.Map<unknown>, field: AgendaTextField): Y.Text {
	const existing = textOf(item, field);
	if (existing) return existing;
	// A malformed item (from an old or hostile client) gets a fresh field rather than a crash.
	const created = new Y.Text();
	item.set(field, created);
	return created;
}

function orderOf(item: Y.Map<unknown>): number {
	const order = item.get('order');
	return typeof order === 'number' && Number.isFinite(order) ? order : 0;
}

export function readAgenda(doc: Y.Doc): AgendaItemView[] {
	const list: AgendaItemView[] = [];
	agendaItems(doc).forEach((item, id) => {
		if (!(item instanceof Y.Map)) return;
		const duration = item.get('duration');
		list.push({
			id,
			order: orderOf(item),
			title: textOf(item, 'title')?.toString() ?? '',
			presenter: textOf(item, 'presenter')?.toString() ?? '',
			notes: textOf(item, 'notes')?.toString() ?? '',
			durationMinutes: typeof duration === 'number' && Number.isFinite(duration) ? duration : 0,
			proposalId: typeof item.get('proposalId') === 'string' ? (item.get('proposalId') as string) : '',
			projectItemId: typeof item.get('projectItemId') === 'string' ? (item.get('projectItemId') as string) : ''
		});
	});
	// Ties (two people adding at the same place at once) resolve the same way everywhere.
	return list.sort((a, b) => a.order - b.order || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function addAgendaItem(doc: Y.Doc, init: Partial<Pick<AgendaItemView, 'title' | 'presenter' | 'notes' | 'durationMinutes' | 'proposalId' | 'projectItemId'>> = {}): string {
	const items = readAgenda(doc);
	const last = items[items.length - 1];
	const id = newId();
	doc.transact(() => {
		const item = new Y.Map<unknown>();
		item.set('order', last ? last.order + 1 : 1);
		item.set('title', new Y.Text(init.title ?? ''));
		item.set('presenter', new Y.Text(init.presenter ?? ''));
		item.set('notes', new Y.Text(init.notes ?? ''));
		item.set('duration', clampDuration(init.durationMinutes ?? 10));
		if (init.proposalId) item.set('proposalId', init.proposalId);
		if (init.projectItemId) item.set('projectItemId', init.projectItemId);
		agendaItems(doc).set(id, item);
	});
	return id;
}

export function removeAgendaItem(doc: Y.Doc, id: string): void {
	agendaItems(doc).delete(id);
}

export function clampDuration(value: number): number {
	if (!Number.isFinite(value)) return 0;
	return Math.min(DURATION_MAX, Math.max(0, Math.round(value)));
}

export function setAgendaDuration(doc: Y.Doc, id: string, minutes: number): void {
	const item = agendaItems(doc).get(id);
	if (item instanceof Y.Map) item.set('duration', clampDuration(minutes));
}

/** Moves an item to position `toIndex` of the current order. */
export function moveAgendaItem(doc: Y.Doc, id: string, toIndex: number): void {
	const items = readAgenda(doc).filter((i) => i.id !== id);
	const item = agendaItems(doc).get(id);
	if (!(item instanceof Y.Map)) return;
	const index = Math.max(0, Math.min(items.length, toIndex));
	const before = items[index - 1];
	const after = items[index];
	let order: number;
	if (before && after) order = (before.order + after.order) / 2;
	else if (before) order = before.order + 1;
	else if (after) order = after.order - 1;
	else order = 1;
	item.set('order', order);
}

export function totalMinutes(items: AgendaItemView[]): number {
	return items.reduce((sum, i) => sum + i.durationMinutes, 0);
}
