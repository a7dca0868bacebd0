import { DECISION_NODE, parseUnits } from '../docs/decision';
import { plainText, type PmJson } from './minutes';

/** A decision block as projected from finalized minutes. */
export interface ExtractedDecision {
	blockId: string;
	/** 1-based, in document order: "决议 2". */
	position: number;
	text: string;
	content: PmJson;
	unitIds: string[];
	dueDate: string;
	/** The board proposal the decision approves ('' when none). */
	proposalId: string;
}

export interface DecisionProblem {
	position: number;
	blockId: string | null;
	/** The beginning of the decision's text, so the message names the block. */
	excerpt: string;
	key:
		| 'decision.missingId'
		| 'decision.duplicateId'
		| 'decision.emptyText'
		| 'decision.noUnits'
		| 'decision.unknownUnit'
		| 'decision.badDueDate'
		| 'decision.unknownProposal'
		| 'decision.proposalWithdrawn'
		| 'decision.proposalTwice';
}

const EXCERPT = 24;

export function extractDecisions(doc: PmJson): { decisions: ExtractedDecision[]; problems: DecisionProblem[] } {
	const found: { node: PmJson; position: number }[] = [];
	const walk = (node: PmJson) => {
		if (node.type === DECISION_NODE) {
			found.push({ node, position: found.length + 1 });
			return;
		}
		for (const child of node.content ?? []) walk(child);
	};
	walk(doc);
	const decisions: ExtractedDecision[] = [];
	const problems: DecisionProblem[] = [];
	const ids = new Set<string>();
	for (const { node, position } of found) {
		const text = plainText(node).trim();
		const excerpt = text.length > EXCERPT ? `${text.slice(0, EXCERPT)}…` : text;
		const blockId = typeof node.attrs?.id === 'string' && node.attrs.id ? node.attrs.id : null;
		const problem = (key: DecisionProblem['key']) => problems.push({ position, blockId, excerpt, key });
		if (!blockId) problem('decision.missingId');
		else if (ids.has(blockId)) problem('decision.duplicateId');
		if (!text) problem('decision.emptyText');
		const unitIds = parseUnits(node.attrs?.units);
		if (unitIds.length === 0) problem('decision.noUnits');
		const dueDate = typeof node.attrs?.dueDate === 'string' ? node.attrs.dueDate : '';
		if (!isCalendarDate(dueDate)) problem('decision.badDueDate');
		if (blockId) ids.add(blockId);
		const proposalId = typeof node.attrs?.proposalId === 'string' ? node.attrs.proposalId : '';
		decisions.push({ blockId: blockId ?? '', position, text, content: node, unitIds, dueDate, proposalId });
	}
	return { decisions, problems };
}

/** Units must be among the committee's member units (those its part-time members represent). */
export function checkUnits(decisions: ExtractedDecision[], memberUnits: Set<string>): DecisionProblem[] {
	const problems: DecisionProblem[] = [];
	for (const d of decisions) {
		if (d.unitIds.some((u) => !memberUnits.has(u))) {
			const excerpt = d.text.length > EXCERPT ? `${d.text.slice(0, EXCERPT)}…` : d.text;
			problems.push({ position: d.position, blockId: d.blockId || null, excerpt, key: 'decision.unknownUnit' });
		}
	}
	return problems;
}

export function isCalendarDate(value: string): boolean {
	const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
	if (!m) return false;
	const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
	const date = new Date(Date.UTC(y, mo - 1, d));
	return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d && y >= 2000 && y <= 2100;
}

/**
 * Linked proposals must exist in the committee and still be open to a decision (a withdrawn
 * one is not: its agenda item may remain, but nobody proposes it any more), and one proposal
 * is approved by one decision. `linked` are the committee's proposal rows the decisions name.
 */
export function checkProposals(decisions: ExtractedDecision[], linked: readonly { id: string; status: string }[]): DecisionProblem[] {
	const status = new Map(linked.map((p) => [p.id, p.status]));
	const problems: DecisionProblem[] = [];
	const seen = new Set<string>();
	for (const d of decisions) {
		if (!d.proposalId) continue;
		const excerpt = d.text.length > EXCERPT ? `${d.text.slice(0, EXCERPT)}…` : d.text;
		const problem = (key: DecisionProblem['key']) => problems.push({ position: d.position, blockId: d.blockId || null, excerpt, key });
		const known = status.get(d.proposalId);
		if (known === undefined) problem('decision.unknownProposal');
		else if (known === 'withdrawn') problem('decision.proposalWithdrawn');
		else if (seen.has(d.proposalId)) problem('decision.proposalTwice');
		seen.add(d.proposalId);
	}
	return problems;
}
