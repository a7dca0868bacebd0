import type { CommitteeRole } from './roles';

/*
 * The one permission module. SvelteKit loads/actions and the collaboration server's
 * onAuthenticate both ask it, so a page can never offer what the socket would refuse.
 */

export const DOC_KINDS = ['agenda', 'minutes', 'board', 'bulletin'] as const;
export type DocKind = (typeof DOC_KINDS)[number];

/** Lifecycle state of the record a document belongs to (a meeting's state, or a board's year). */
export const DOC_STATES = ['scheduled', 'in_progress', 'review', 'finalized'] as const;
export type DocState = (typeof DOC_STATES)[number];

export const ACCESS_LEVELS = ['none', 'read', 'comment', 'write'] as const;
export type Access = (typeof ACCESS_LEVELS)[number];

export interface Principal {
	isAdmin: boolean;
	/** The person's role in the document's committee; null when not a member. */
	role: CommitteeRole | null;
}

type Matrix = Record<DocKind, Record<CommitteeRole, Record<DocState, Access>>>;

const row = (scheduled: Access, inProgress: Access, review: Access, finalized: Access): Record<DocState, Access> => ({
	scheduled,
	in_progress: inProgress,
	review,
	finalized
});

const MATRIX: Matrix = {
	// Everyone in the committee prepares the agenda; once the meeting is under review the
	// agenda is history, which only the convener and recorder may still correct.
	agenda: {
		convener: row('write', 'write', 'write', 'read'),
		recorder: row('write', 'write', 'write', 'read'),
		member: row('write', 'write', 'comment', 'read'),
		part_time: row('write', 'write', 'comment', 'read'),
		observer: row('read', 'read', 'read', 'read')
	},
	// The minutes are written in the room and corrected in review by the people responsible
	// for them; the other members comment during review.
	minutes: {
		convener: row('write', 'write', 'write', 'read'),
		recorder: row('write', 'write', 'write', 'read'),
		member: row('write', 'write', 'comment', 'read'),
		part_time: row('write', 'write', 'comment', 'read'),
		observer: row('read', 'read', 'read', 'read')
	},
	board: {
		convener: row('write', 'write', 'write', 'read'),
		recorder: row('write', 'write', 'write', 'read'),
		member: row('write', 'write', 'write', 'read'),
		part_time: row('write', 'write', 'write', 'read'),
		observer: row('read', 'read', 'read', 'read')
	},
	bulletin: {
		convener: row('write', 'write', 'write', 'read'),
		recorder: row('write', 'write', 'write', 'read'),
		member: row('comment', 'comment', 'comment', 'read'),
		part_time: row('comment', 'comment', 'comment', 'read'),
		observer: row('read', 'read', 'read', 'read')
	}
};

export function accessFor(principal: Principal, kind: DocKind, state: DocState): Access {
	if (principal.role) return MATRIX[kind][principal.role][state];
	// The district administrator oversees every committee but is not in the room: full
	// access before finalization, read-only after, like everyone else.
	if (principal.isAdmin) return state === 'finalized' ? 'read' : 'write';
	return 'none';
}

export function atLeast(access: Access, needed: Access): boolean {
	return ACCESS_LEVELS.indexOf(access) >= ACCESS_LEVELS.indexOf(needed);
}
