import { listCommittees, listCommitteesForUser, roleOf, getCommittee, type CommitteeSummary } from './committee';
import type { CommitteeRole } from '../domain/roles';
import type { DbOrTx } from './db';
import type { SessionUser } from './auth/session';

export type VisibleCommittee = CommitteeSummary & { role: CommitteeRole | null };

/** Committees a person sees: their own; an administrator sees all of them. */
export async function visibleCommittees(db: DbOrTx, user: SessionUser): Promise<VisibleCommittee[]> {
	const mine = await listCommitteesForUser(db, user.id);
	if (!user.isAdmin) return mine;
	const roles = new Map(mine.map((c) => [c.id, c.role] as const));
	return (await listCommittees(db)).map((c) => ({ ...c, role: roles.get(c.id) ?? null }));
}

/** The committee if the person may see it, with their role; null when absent or not theirs. */
export async function visibleCommittee(db: DbOrTx, user: Pick<SessionUser, 'id' | 'isAdmin'>, committeeId: string): Promise<VisibleCommittee | null> {
	if (!/^[0-9a-f-]{36}$/i.test(committeeId)) return null;
	const committee = await getCommittee(db, committeeId);
	if (!committee) return null;
	const role = await roleOf(db, user.id, committeeId);
	if (!role && !user.isAdmin) return null;
	return { ...committee, role };
}
