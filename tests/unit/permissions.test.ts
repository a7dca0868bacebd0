import { describe, expect, it } from 'vitest';
import { accessFor, atLeast, DOC_KINDS, DOC_STATES, type Access, type DocKind, type DocState } from '../../src/lib/domain/permissions';
import { COMMITTEE_ROLES, type CommitteeRole } from '../../src/lib/domain/roles';

type Who = CommitteeRole | 'admin' | 'outsider';

/*
 * The whole matrix written out once more, independently of the implementation's table, so
 * that a change to either shows up here as a failing cell.
 */
const EXPECTED: Record<DocKind, Record<Who, [Access, Access, Access, Access]>> = {
	agenda: {
		convener: ['write', 'write', 'write', 'read'],
		recorder: ['write', 'write', 'write', 'read'],
		member: ['write', 'write', 'comment', 'read'],
		part_time: ['write', 'write', 'comment', 'read'],
		observer: ['read', 'read', 'read', 'read'],
		admin: ['write', 'write', 'write', 'read'],
		outsider: ['none', 'none', 'none', 'none']
	},
	minutes: {
		convener: ['write', 'write', 'write', 'read'],
		recorder: ['write', 'write', 'write', 'read'],
		member: ['write', 'write', 'comment', 'read'],
		part_time: ['write', 'write', 'comment', 'read'],
		observer: ['read', 'read', 'read', 'read'],
		admin: ['write', 'write', 'write', 'read'],
		outsider: ['none', 'none', 'none', 'none']
	},
	board: {
		convener: ['write', 'write', 'write', 'read'],
		recorder: ['write', 'write', 'write', 'read'],
		member: ['write', 'write', 'write', 'read'],
		part_time: ['write', 'write', 'write', 'read'],
		observer: ['read', 'read', 'read', 'read'],
		admin: ['write', 'write', 'write', 'read'],
		outsider: ['none', 'none', 'none', 'none']
	},
	bulletin: {
		convener: ['write', 'write', 'write', 'read'],
		recorder: ['write', 'write', 'write', 'read'],
		member: ['comment', 'comment', 'comment', 'read'],
		part_time: ['comment', 'comment', 'comment', 'read'],
		observer: ['read', 'read', 'read', 'read'],
		admin: ['write', 'write', 'write', 'read'],
		outsider: ['none', 'none', 'none', 'none']
	}
};

function principal(who: Who) {
	if (who === 'admin') return { isAdmin: true, role: null };
	if (who === 'outsider') return { isAdmin: false, role: null };
	return { isAdmin: false, role: who };
}

describe('permission matrix', () => {
	for (const kind of DOC_KINDS) {
		for (const who of [...COMMITTEE_ROLES, 'admin', 'outsider'] as Who[]) {
			DOC_STATES.forEach((state: DocState, i) => {
				it(`${who} × ${kind} × ${state} → ${EXPECTED[kind][who][i]}`, () => {
					expect(accessFor(principal(who), kind, state)).toBe(EXPECTED[kind][who][i]);
				});
			});
		}
	}

	it('a finalized document refuses writes for everyone, administrators and conveners included', () => {
		for (const kind of DOC_KINDS) {
			for (const who of [...COMMITTEE_ROLES, 'admin', 'outsider'] as Who[]) {
				expect(atLeast(accessFor(principal(who), kind, 'finalized'), 'write')).toBe(false);
			}
		}
	});

	it('an administrator who is also a member gets the member role, not more', () => {
		expect(accessFor({ isAdmin: true, role: 'observer' }, 'agenda', 'scheduled')).toBe('read');
	});

	it('orders access levels', () => {
		expect(atLeast('write', 'read')).toBe(true);
		expect(atLeast('comment', 'read')).toBe(true);
		expect(atLeast('read', 'comment')).toBe(false);
		expect(atLeast('none', 'read')).toBe(false);
	});
});
