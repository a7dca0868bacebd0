import * as Y from 'yjs';
import { needsMap, PROJECT_LEVELS, proposalsMap, readProposals, setCardText, TEXT_MAX, type ProposalLevel, type ProposalStatus } from './board';

/*
 * Editing and withdrawing a board's project proposals (the `proposals` map of
 * `board/<committeeId>/<year>`). A proposal is open to change only until a meeting decides on
 * it: once approved it is the source of a tracked item, once withdrawn it is history.
 *
 * A need is "matched" while at least one active proposal (proposed, on the agenda or approved)
 * addresses it; when the last one lets go of it, it goes back to "open" so it shows up again
 * as waiting for a project. Needs that moved on ("in a project", "closed") are left alone.
 */

/** Proposals that still hold their needs. */
export const ACTIVE_PROPOSAL_STATUSES: readonly ProposalStatus[] = ['proposed', 'on_agenda', 'approved'];
/** Proposals that may still be edited or withdrawn. */
export const OPEN_PROPOSAL_STATUSES: readonly ProposalStatus[] = ['proposed', 'on_agenda'];

export interface ProposalPatch {
	title?: string;
	needIds?: string[];
	resourceIds?: string[];
	unitIds?: string[];
	level?: ProposalLevel;
	dueDate?: string;
}

/** The fields of a proposal that are wrong, named so the UI can say which. */
export type ProposalFieldProblem = 'title' | 'resources' | 'units' | 'dueDate' | 'level';

export type ProposalChange =
	| { ok: true }
	| { ok: false; reason: 'notFound' }
	/** Decided on (approved) or withdrawn: no longer open to change. */
	| { ok: false; reason: 'closed'; status: ProposalStatus }
	| { ok: false; reason: 'invalid'; problems: ProposalFieldProblem[] };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar day written YYYY-MM-DD (2027-02-30 is not one). */
export function isProposalDate(value: string): boolean {
	const m = DATE.exec(value);
	if (!m) return false;
	const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
	const date = new Date(Date.UTC(y, mo - 1, d));
	return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/**
 * What is wrong with the fields a patch sets (fields it leaves out are not checked). The same
 * rules as proposing one, so the create and edit forms say the same things.
 */
export function proposalProblems(patch: ProposalPatch): ProposalFieldProblem[] {
	const problems: ProposalFieldProblem[] = [];
	if (patch.title !== undefined && !patch.title.trim()) problems.push('title');
	if (patch.resourceIds !== undefined && patch.resourceIds.length === 0) problems.push('resources');
	if (patch.unitIds !== undefined && patch.unitIds.length === 0) problems.push('units');
	if (patch.dueDate !== undefined && !isProposalDate(patch.dueDate)) problems.push('dueDate');
	if (patch.level !== undefined && !(PROJECT_LEVELS as readonly string[]).includes(patch.level)) problems.push('level');
	return problems;
}

function statusOf(card: Y.Map<unknown>): ProposalStatus | null {
	const s = card.get('status');
	return s === 'proposed' || s === 'on_agenda' || s === 'approved' || s === 'withdrawn' ? s : null;
}

/** The open card of a proposal, or why there is none. */
function openCard(doc: Y.Doc, id: string): { card: Y.Map<unknown> } | Exclude<ProposalChange, { ok: true }> {
	const card = proposalsMap(doc).get(id);
	if (!(card instanceof Y.Map)) return { ok: false, reason: 'notFound' };
	// A card without a (known) status reads as "proposed" on the board, so it is open here too.
	const status = statusOf(card) ?? 'proposed';
	if (!OPEN_PROPOSAL_STATUSES.includes(status)) return { ok: false, reason: 'closed', status };
	return { card };
}

const unique = (list: string[]) => [...new Set(list.filter((v) => v !== ''))];

/** Marks open needs as matched (they now have a proposal). */
function markMatched(doc: Y.Doc, needIds: Iterable<string>): void {
	for (const id of needIds) {
		const need = needsMap(doc).get(id);
		if (need instanceof Y.Map && need.get('status') === 'open') need.set('status', 'matched');
	}
}

/** Returns matched needs that no active proposal addresses any more to "open". */
function releaseNeeds(doc: Y.Doc, needIds: Iterable<string>): void {
	const held = new Set<string>();
	for (const p of readProposals(doc)) if (ACTIVE_PROPOSAL_STATUSES.includes(p.status)) for (const id of p.needIds) held.add(id);
	for (const id of needIds) {
		if (held.has(id)) continue;
		const need = needsMap(doc).get(id);
		if (need instanceof Y.Map && need.get('status') === 'matched') need.set('status', 'open');
	}
}

function ids(value: unknown): string[] {
	return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function sameList(a: string[], b: string[]): boolean {
	return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Changes the fields a patch names on a proposed or scheduled proposal, in one transaction.
 * The title is diffed into its Y.Text so a concurrent edit by someone else survives. Needs
 * added become "matched"; needs removed go back to "open" unless another proposal holds them.
 */
export function updateProposal(doc: Y.Doc, id: string, patch: ProposalPatch): ProposalChange {
	const found = openCard(doc, id);
	if (!('card' in found)) return found;
	const problems = proposalProblems(patch);
	if (problems.length > 0) return { ok: false, reason: 'invalid', problems };
	const { card } = found;
	doc.transact(() => {
		if (patch.title !== undefined) setCardText(card, 'title', patch.title.trim().slice(0, TEXT_MAX.title));
		const lists = [
			['resourceIds', patch.resourceIds],
			['unitIds', patch.unitIds]
		] as const;
		for (const [field, value] of lists) {
			if (value === undefined) continue;
			const next = unique(value);
			// Setting an equal array would still be an update (and a store, and a projection).
			if (!sameList(ids(card.get(field)), next)) card.set(field, next);
		}
		if (patch.level !== undefined && card.get('level') !== patch.level) card.set('level', patch.level);
		if (patch.dueDate !== undefined && card.get('dueDate') !== patch.dueDate) card.set('dueDate', patch.dueDate);
		if (patch.needIds !== undefined) {
			const before = ids(card.get('needIds'));
			const next = unique(patch.needIds);
			if (!sameList(before, next)) {
				card.set('needIds', next);
				markMatched(doc, next.filter((n) => !before.includes(n)));
				releaseNeeds(doc, before.filter((n) => !next.includes(n)));
			}
		}
	});
	return { ok: true };
}

/**
 * Withdraws a proposed or scheduled proposal. One on an agenda may be withdrawn too (the
 * meeting has not approved it); its agenda item stays, and a decision still linking it blocks
 * the minutes' finalization. Its needs go back to "open" unless another proposal holds them.
 */
export function withdrawProposal(doc: Y.Doc, id: string): ProposalChange {
	const found = openCard(doc, id);
	if (!('card' in found)) return found;
	const { card } = found;
	doc.transact(() => {
		card.set('status', 'withdrawn');
		releaseNeeds(doc, ids(card.get('needIds')));
	});
	return { ok: true };
}
