import * as Y from 'yjs';
import { applyTextDiff } from './text';
import { docName } from './names';
import { CATEGORY_KEY, OTHER_CATEGORY } from '../domain/needCategory';

/*
 * The live needs and resources lists of one committee and year: `board/<committeeId>/<year>`.
 *
 * Cards live in two Y.Maps keyed by a stable card id (the projection into the `needs` and
 * `resources` tables is keyed by it too), each card a Y.Map with a fractional `order`, text
 * fields as Y.Text (concurrent keystrokes merge) and plain values for choices. Cards are
 * archived, never deleted, by the UI; a deletion by any client is projected as "deleted".
 */

export const NEEDS = 'needs';
export const RESOURCES = 'resources';

/** A need's category is a key of its district's list (`$lib/domain/needCategory`), not a fixed constant. */
export type NeedCategoryKey = string;
export const NEED_SOURCES = ['residents', 'grid_patrol', 'visits', 'petitions', 'other'] as const;
export type NeedSource = (typeof NEED_SOURCES)[number];
export const NEED_PRIORITIES = ['high', 'medium', 'low'] as const;
export type NeedPriority = (typeof NEED_PRIORITIES)[number];
export const NEED_STATUSES = ['open', 'matched', 'in_project', 'closed'] as const;
export type NeedStatus = (typeof NEED_STATUSES)[number];

export const RESOURCE_TYPES = ['people', 'expertise', 'funds', 'venue', 'goods', 'services'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];
export const RESOURCE_STATUSES = ['available', 'committed', 'used_up'] as const;
export type ResourceStatus = (typeof RESOURCE_STATUSES)[number];

export const NEED_TEXT_FIELDS = ['title', 'description', 'place'] as const;
export type NeedTextField = (typeof NEED_TEXT_FIELDS)[number];
export const RESOURCE_TEXT_FIELDS = ['title', 'description', 'quantity', 'availability', 'contact'] as const;
export type ResourceTextField = (typeof RESOURCE_TEXT_FIELDS)[number];

export const TEXT_MAX: Record<NeedTextField | ResourceTextField, number> = {
	title: 100,
	description: 2000,
	place: 100,
	quantity: 100,
	availability: 100,
	contact: 100
};

export interface NeedView {
	id: string;
	order: number;
	title: string;
	description: string;
	place: string;
	category: NeedCategoryKey;
	source: NeedSource;
	priority: NeedPriority;
	status: NeedStatus;
	submittedBy: string;
	submittedByName: string;
	archived: boolean;
}

export interface ResourceView {
	id: string;
	order: number;
	unitId: string;
	title: string;
	description: string;
	quantity: string;
	availability: string;
	contact: string;
	type: ResourceType;
	status: ResourceStatus;
	createdBy: string;
	archived: boolean;
}

export const boardDocName = (committeeId: string, year: number) => docName({ kind: 'board', committeeId, year });

export const needsMap = (doc: Y.Doc) => doc.getMap<Y.Map<unknown>>(NEEDS);
export const resourcesMap = (doc: Y.Doc) => doc.getMap<Y.Map<unknown>>(RESOURCES);

function text(card: Y.Map<unknown>, field: string): string {
	const v = card.get(field);
	return v instanceof Y.Text ? v.toString() : '';
}

function choice<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
	return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

function categoryKey(value: unknown): string {
	return typeof value === 'string' && CATEGORY_KEY.test(value) ? value : OTHER_CATEGORY;
}

function str(value: unknown): string {
	return typeof value === 'string' ? value : '';
}

function num(value: unknown): number {
	return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

const byOrder = <T extends { order: number; id: string }>(a: T, b: T) => a.order - b.order || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function readNeeds(doc: Y.Doc): NeedView[] {
	const list: NeedView[] = [];
	needsMap(doc).forEach((card, id) => {
		if (!(card instanceof Y.Map)) return;
		list.push({
			id,
			order: num(card.get('order')),
			title: text(card, 'title'),
			description: text(card, 'description'),
			place: text(card, 'place'),
			category: categoryKey(card.get('category')),
			source: choice(card.get('source'), NEED_SOURCES, 'other'),
			priority: choice(card.get('priority'), NEED_PRIORITIES, 'medium'),
			status: choice(card.get('status'), NEED_STATUSES, 'open'),
			submittedBy: str(card.get('submittedBy')),
			submittedByName: str(card.get('submittedByName')),
			archived: card.get('archived') === true
		});
	});
	return list.sort(byOrder);
}

export function readResources(doc: Y.Doc): ResourceView[] {
	const list: ResourceView[] = [];
	resourcesMap(doc).forEach((card, id) => {
		if (!(card instanceof Y.Map)) return;
		list.push({
			id,
			order: num(card.get('order')),
			unitId: str(card.get('unitId')),
			title: text(card, 'title'),
			description: text(card, 'description'),
			quantity: text(card, 'quantity'),
			availability: text(card, 'availability'),
			contact: text(card, 'contact'),
			type: choice(card.get('type'), RESOURCE_TYPES, 'services'),
			status: choice(card.get('status'), RESOURCE_STATUSES, 'available'),
			createdBy: str(card.get('createdBy')),
			archived: card.get('archived') === true
		});
	});
	return list.sort(byOrder);
}

export function nextOrder(map: Y.Map<Y.Map<unknown>>): number {
	let max = 0;
	map.forEach((card) => {
		if (card instanceof Y.Map) max = Math.max(max, num(card.get('order')));
	});
	return max + 1;
}

export interface NewNeed {
	title?: string;
	description?: string;
	place?: string;
	category?: NeedCategoryKey;
	source?: NeedSource;
	priority?: NeedPriority;
	submittedBy: string;
	submittedByName: string;
	/** Where the card goes; after the last card when omitted (a scan of the list per call). */
	order?: number;
}

export function addNeed(doc: Y.Doc, init: NewNeed): string {
	const id = crypto.randomUUID();
	doc.transact(() => {
		const map = needsMap(doc);
		const card = new Y.Map<unknown>();
		card.set('order', init.order ?? nextOrder(map));
		for (const f of NEED_TEXT_FIELDS) card.set(f, new Y.Text(init[f] ?? ''));
		card.set('category', init.category && CATEGORY_KEY.test(init.category) ? init.category : OTHER_CATEGORY);
		card.set('source', init.source ?? 'residents');
		card.set('priority', init.priority ?? 'medium');
		card.set('status', 'open');
		card.set('submittedBy', init.submittedBy);
		card.set('submittedByName', init.submittedByName);
		card.set('archived', false);
		map.set(id, card);
	});
	return id;
}

export interface NewResource {
	unitId: string;
	type?: ResourceType;
	title?: string;
	description?: string;
	quantity?: string;
	availability?: string;
	contact?: string;
	createdBy: string;
	/** As for needs: a bulk import passes consecutive orders instead of rescanning the list per card. */
	order?: number;
}

export function addResource(doc: Y.Doc, init: NewResource): string {
	const id = crypto.randomUUID();
	doc.transact(() => {
		const map = resourcesMap(doc);
		const card = new Y.Map<unknown>();
		card.set('order', init.order ?? nextOrder(map));
		for (const f of RESOURCE_TEXT_FIELDS) card.set(f, new Y.Text(init[f] ?? ''));
		card.set('unitId', init.unitId);
		card.set('type', init.type ?? 'services');
		card.set('status', 'available');
		card.set('createdBy', init.createdBy);
		card.set('archived', false);
		map.set(id, card);
	});
	return id;
}

/** The Y.Text of a card's text field, created if a malformed card lacks it. */
export function cardText(card: Y.Map<unknown>, field: string): Y.Text {
	const v = card.get(field);
	if (v instanceof Y.Text) return v;
	const created = new Y.Text();
	card.set(field, created);
	return created;
}

export function setCardText(card: Y.Map<unknown>, field: string, value: string): void {
	const t = cardText(card, field);
	applyTextDiff(t, t.toString(), value);
}

export function setCardValue(card: Y.Map<unknown>, field: string, value: string | boolean): void {
	if (card.get(field) !== value) card.set(field, value);
}

/** Moves a card to position `toIndex` among the cards of its map (archived ones included). */
export function moveCard(map: Y.Map<Y.Map<unknown>>, id: string, toIndex: number): void {
	const card = map.get(id);
	if (!(card instanceof Y.Map)) return;
	const others: { id: string; order: number }[] = [];
	map.forEach((c, cid) => {
		if (cid !== id && c instanceof Y.Map) others.push({ id: cid, order: num(c.get('order')) });
	});
	others.sort(byOrder);
	const i = Math.max(0, Math.min(others.length, toIndex));
	const before = others[i - 1];
	const after = others[i];
	card.set('order', before && after ? (before.order + after.order) / 2 : before ? before.order + 1 : after ? after.order - 1 : 1);
}

/** Which cards of which list a set of Yjs events touched (for the server's write rules). */
export function touchedCards(doc: Y.Doc, run: () => void): { needs: Set<string>; resources: Set<string> } {
	const touched = { needs: new Set<string>(), resources: new Set<string>() };
	const watch = (map: Y.Map<Y.Map<unknown>>, into: Set<string>) => (events: Y.YEvent<Y.AbstractType<unknown>>[]) => {
		for (const e of events) {
			if (e.target === map) e.changes.keys.forEach((_change, key) => into.add(key));
			else if (typeof e.path[0] === 'string') into.add(e.path[0]);
		}
	};
	const needs = needsMap(doc);
	const resources = resourcesMap(doc);
	const onNeeds = watch(needs, touched.needs);
	const onResources = watch(resources, touched.resources);
	needs.observeDeep(onNeeds);
	resources.observeDeep(onResources);
	try {
		run();
	} finally {
		needs.unobserveDeep(onNeeds);
		resources.unobserveDeep(onResources);
	}
	return touched;
}

export const PROPOSALS = 'proposals';
export const PROPOSAL_STATUSES = ['proposed', 'on_agenda', 'approved', 'withdrawn'] as const;
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];
export const PROJECT_LEVELS = ['district', 'street', 'community'] as const;
export type ProposalLevel = (typeof PROJECT_LEVELS)[number];

/** A matched need and resource(s), proposed as a project for a meeting to approve. */
export interface ProposalView {
	id: string;
	order: number;
	title: string;
	needIds: string[];
	resourceIds: string[];
	unitIds: string[];
	level: ProposalLevel;
	dueDate: string;
	status: ProposalStatus;
	/** The meeting whose agenda it was put on. */
	meetingId: string;
	/** The tracked item it became on finalization. */
	projectItemId: string;
	createdBy: string;
}

export const proposalsMap = (doc: Y.Doc) => doc.getMap<Y.Map<unknown>>(PROPOSALS);

function ids(value: unknown): string[] {
	return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function readProposals(doc: Y.Doc): ProposalView[] {
	const list: ProposalView[] = [];
	proposalsMap(doc).forEach((card, id) => {
		if (!(card instanceof Y.Map)) return;
		list.push({
			id,
			order: num(card.get('order')),
			title: text(card, 'title'),
			needIds: ids(card.get('needIds')),
			resourceIds: ids(card.get('resourceIds')),
			unitIds: ids(card.get('unitIds')),
			level: choice(card.get('level'), PROJECT_LEVELS, 'community'),
			dueDate: str(card.get('dueDate')),
			status: choice(card.get('status'), PROPOSAL_STATUSES, 'proposed'),
			meetingId: str(card.get('meetingId')),
			projectItemId: str(card.get('projectItemId')),
			createdBy: str(card.get('createdBy'))
		});
	});
	return list.sort(byOrder);
}

export interface NewProposal {
	title: string;
	needIds: string[];
	resourceIds: string[];
	unitIds: string[];
	level: ProposalLevel;
	dueDate: string;
	createdBy: string;
}

/** Proposes a project from a need and resources; the need becomes "matched". */
export function addProposal(doc: Y.Doc, init: NewProposal): string {
	const id = crypto.randomUUID();
	doc.transact(() => {
		const map = proposalsMap(doc);
		const card = new Y.Map<unknown>();
		card.set('order', nextOrder(map));
		card.set('title', new Y.Text(init.title));
		card.set('needIds', [...init.needIds]);
		card.set('resourceIds', [...init.resourceIds]);
		card.set('unitIds', [...init.unitIds]);
		card.set('level', init.level);
		card.set('dueDate', init.dueDate);
		card.set('status', 'proposed');
		card.set('meetingId', '');
		card.set('projectItemId', '');
		card.set('createdBy', init.createdBy);
		map.set(id, card);
		for (const needId of init.needIds) {
			const need = needsMap(doc).get(needId);
			if (need instanceof Y.Map && need.get('status') === 'open') need.set('status', 'matched');
		}
	});
	return id;
}

/**
 * Character bigrams of a text (Chinese has no spaces; bigrams capture words well enough for
 * a hint). Latin letters are lower-cased, whitespace and punctuation ignored.
 */
export function bigrams(value: string): Set<string> {
	const chars = [...value.toLowerCase()].filter((c) => /[\p{L}\p{N}]/u.test(c));
	const out = new Set<string>();
	for (let i = 0; i + 1 < chars.length; i++) out.add(chars[i]! + chars[i + 1]!);
	if (chars.length === 1) out.add(chars[0]!);
	return out;
}

/** Dice coefficient of two texts' bigrams, 0–1. */
export function similarity(a: string, b: string): number {
	const x = bigrams(a);
	const y = bigrams(b);
	if (x.size === 0 || y.size === 0) return 0;
	let common = 0;
	for (const g of x) if (y.has(g)) common++;
	return (2 * common) / (x.size + y.size);
}

/** Resource types that usually answer a need of a category (a hint for suggestions). */
const TYPES_FOR_CATEGORY: Partial<Record<NeedCategoryKey, ResourceType[]>> = {
	party_building: ['expertise', 'people', 'venue'],
	governance: ['expertise', 'people', 'services'],
	infrastructure: ['funds', 'goods', 'services'],
	culture_sports: ['venue', 'people', 'goods'],
	care: ['people', 'services', 'goods', 'funds']
};

/**
 * Available resources ranked for a need: by text similarity of title and description, with
 * a small lift for the resource types that usually answer the need's category. A hint for
 * people to look at, never a match made automatically.
 */
export function suggestResources(need: NeedView, resources: ResourceView[], limit = 5): { resource: ResourceView; score: number }[] {
	const needText = `${need.title} ${need.description}`;
	// A district's own categories carry no hint: every type fits them equally.
	const fitting = new Set(TYPES_FOR_CATEGORY[need.category] ?? RESOURCE_TYPES);
	return resources
		.filter((r) => !r.archived && r.status === 'available')
		.map((resource) => ({ resource, score: similarity(needText, `${resource.title} ${resource.description}`) + (fitting.has(resource.type) ? 0.1 : 0) }))
		.filter((s) => s.score > 0.1)
		.sort((a, b) => b.score - a.score)
		.slice(0, limit);
}
