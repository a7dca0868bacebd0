import { and, eq } from 'drizzle-orm';
import { accessFor, type Access, type DocState } from '../domain/permissions';
import type { CommitteeRole } from '../domain/roles';
import type { DocRef } from '../docs/names';
import type { DbOrTx } from './db';
import { bulletins, committees, meetings } from './db/schema';
import { membershipOf } from './committee';

export type DocAccess =
	| { found: true; access: Access; committeeId: string | null; state: DocState; role: CommitteeRole | null; unitId: string | null }
	| { found: false };

/** What a user may do with a live document, from the record it belongs to. */
export async function resolveDocAccess(db: DbOrTx, user: { id: string; isAdmin: boolean }, ref: DocRef): Promise<DocAccess> {
	let committeeId: string;
	let state: DocState;
	if (ref.kind === 'agenda' || ref.kind === 'minutes') {
		const [meeting] = await db
			.select({ committeeId: meetings.committeeId, state: meetings.state })
			.from(meetings)
			.where(eq(meetings.id, ref.meetingId))
			.limit(1);
		if (!meeting) return { found: false };
		committeeId = meeting.committeeId;
		state = meeting.state;
	} else if (ref.kind === 'bulletin') {
		// A bulletin exists once drafted; until then its name leads nowhere.
		const [bulletin] = await db
			.select({ committeeId: bulletins.committeeId, state: bulletins.state })
			.from(bulletins)
			.where(and(eq(bulletins.scopeId, ref.scopeId), eq(bulletins.year, ref.year), eq(bulletins.quarter, ref.quarter)))
			.limit(1);
		if (!bulletin) return { found: false };
		state = bulletin.state === 'frozen' ? 'finalized' : 'in_progress';
		// A district-wide bulletin belongs to no committee: the district's administrators write it.
		if (!bulletin.committeeId) {
			return { found: true, access: accessFor({ isAdmin: user.isAdmin, role: null }, ref.kind, state), committeeId: null, state, role: null, unitId: null };
		}
		committeeId = bulletin.committeeId;
	} else {
		const [committee] = await db.select({ id: committees.id }).from(committees).where(eq(committees.id, ref.committeeId)).limit(1);
		if (!committee) return { found: false };
		committeeId = committee.id;
		// Boards get their own lifecycle in a later issue; until then they are open.
		state = 'scheduled';
	}
	const seat = await membershipOf(db, user.id, committeeId);
	const role = seat?.role ?? null;
	return { found: true, access: accessFor({ isAdmin: user.isAdmin, role }, ref.kind, state), committeeId, state, role, unitId: seat?.unitId ?? null };
}
