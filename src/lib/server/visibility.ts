import { listCommittees, listCommitteesForUser, roleOf, getCommittee, type CommitteeSummary } from './committee';
import type { CommitteeRole } from '../domain/roles';
import type { DbOrTx } from './db';
import type { SessionUser } from './auth/session';
import { resolveDocAccess } from './docAccess';
import { isUuid } from './meeting';

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

/**
 * Whether the person may know that the meeting exists: a seat in its committee, or
 * administration (the same people who may read its agenda). Routes answer 404 when not, so
 * that a refusal never tells an outsider that the id is real (see guard.ts).
 */
export async function visibleMeeting(db: DbOrTx, user: Pick<SessionUser, 'id' | 'isAdmin'>, meetingId: string): Promise<boolean> {
	if (!isUuid(meetingId)) return false;
	const access = await resolveDocAccess(db, user, { kind: 'agenda', meetingId });
	return access.found && access.access !== 'none';
}
