import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { accessFor, type Access, type DocState } from '../domain/permissions';
import type { CommitteeRole } from '../domain/roles';
import type { DocRef } from '../docs/names';
import type { Db, DbOrTx } from './db';
import { bulletins, committees, meetings, memberships, sessions, users } from './db/schema';
import { membershipOf } from './committee';
import { secretMatches, sessionUserColumns, sessionVerdict, splitToken, validateSessionToken, type SessionUser } from './auth/session';

export type DocAccess =
	| { found: true; access: Access; committeeId: string | null; state: DocState; role: CommitteeRole | null; unitId: string | null }
	| { found: false };

type BulletinState = (typeof bulletins.$inferSelect)['state'];

/** Access to a bulletin from its row and the user's seat in its committee. */
function bulletinAccess(user: { isAdmin: boolean }, bulletin: { committeeId: string | null; state: BulletinState }, seat: Seat | null): DocAccess {
	const state: DocState = bulletin.state === 'frozen' ? 'finalized' : 'in_progress';
	// A district-wide bulletin belongs to no committee: the district's administrators write it.
	if (!bulletin.committeeId) {
		return { found: true, access: accessFor({ isAdmin: user.isAdmin, role: null }, 'bulletin', state), committeeId: null, state, role: null, unitId: null };
	}
	return committeeAccess(user, 'bulletin', bulletin.committeeId, state, seat);
}

interface Seat {
	role: CommitteeRole;
	unitId: string | null;
}

function committeeAccess(user: { isAdmin: boolean }, kind: DocRef['kind'], committeeId: string, state: DocState, seat: Seat | null): DocAccess {
	const role = seat?.role ?? null;
	return { found: true, access: accessFor({ isAdmin: user.isAdmin, role }, kind, state), committeeId, state, role, unitId: seat?.unitId ?? null };
}

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
		if (!bulletin.committeeId) return bulletinAccess(user, bulletin, null);
		return bulletinAccess(user, bulletin, await membershipOf(db, user.id, bulletin.committeeId));
	} else {
		const [committee] = await db.select({ id: committees.id }).from(committees).where(eq(committees.id, ref.committeeId)).limit(1);
		if (!committee) return { found: false };
		committeeId = committee.id;
		// Boards get their own lifecycle in a later issue; until then they are open.
		state = 'scheduled';
	}
	return committeeAccess(user, ref.kind, committeeId, state, await membershipOf(db, user.id, committeeId));
}

/*
 * The collaboration server authenticates every document connection, again after each one it
 * closed (a refused update, a reconnect): the session, its user, the record and the user's seat
 * are read in one round trip, by statements prepared once per database (one per kind of record),
 * instead of three queries built anew each time.
 */
const sessionColumns = { id: sessions.id, secretHash: sessions.secretHash, createdAt: sessions.createdAt, expiresAt: sessions.expiresAt };
const seatColumns = { role: memberships.role, unitId: memberships.unitId };
// A union rather than a type parameter: drizzle's join cannot check a table it does not know yet.
type RecordTable = typeof meetings | typeof committees | typeof bulletins;

/**
 * The session, its user, the record `table` joined on `key` and the user's seat in the record's
 * committee. The record is left-joined so that an unknown record still returns the session (the
 * caller tells "no such document" from "no such session"), and the seat likewise.
 */
function docAccessStatement<R extends { committeeId: PgColumn } & Record<string, PgColumn>>(
	db: Db,
	name: string,
	table: RecordTable,
	key: SQL | undefined,
	record: R
) {
	return db
		.select({ session: sessionColumns, user: sessionUserColumns, record, seat: seatColumns })
		.from(sessions)
		.innerJoin(users, eq(users.id, sessions.userId))
		.leftJoin(table, key)
		.leftJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.committeeId, record.committeeId)))
		.where(eq(sessions.id, sql.placeholder('sessionId')))
		.limit(1)
		.prepare(name);
}

function prepareStatements(db: Db) {
	return {
		meeting: docAccessStatement(db, 'doc_access_meeting', meetings, eq(meetings.id, sql.placeholder('meetingId')), {
			committeeId: meetings.committeeId,
			state: meetings.state
		}),
		board: docAccessStatement(db, 'doc_access_board', committees, eq(committees.id, sql.placeholder('committeeId')), { committeeId: committees.id }),
		bulletin: docAccessStatement(
			db,
			'doc_access_bulletin',
			bulletins,
			and(eq(bulletins.scopeId, sql.placeholder('scopeId')), eq(bulletins.year, sql.placeholder('year')), eq(bulletins.quarter, sql.placeholder('quarter'))),
			{ id: bulletins.id, committeeId: bulletins.committeeId, state: bulletins.state }
		)
	};
}

const prepared = new WeakMap<Db, ReturnType<typeof prepareStatements>>();

/**
 * The user behind a session token and what they may do with a live document, as
 * validateSessionToken and resolveDocAccess would say, in one query; null when the token opens
 * nothing. A session that has expired or is due to slide is left to validateSessionToken, which
 * ends or slides it.
 */
export async function resolveSessionDocAccess(db: Db, token: string, ref: DocRef, now = new Date()): Promise<{ user: SessionUser; access: DocAccess } | null> {
	const parsed = splitToken(token);
	if (!parsed) return null;
	let statements = prepared.get(db);
	if (!statements) {
		statements = prepareStatements(db);
		prepared.set(db, statements);
	}
	const sessionId = parsed.id;
	let user: SessionUser;
	let access: DocAccess;
	let session: { secretHash: Uint8Array; createdAt: Date; expiresAt: Date };
	if (ref.kind === 'agenda' || ref.kind === 'minutes') {
		const [row] = await statements.meeting.execute({ sessionId, meetingId: ref.meetingId });
		if (!row) return null;
		({ session, user } = row);
		access = row.record ? committeeAccess(user, ref.kind, row.record.committeeId, row.record.state, row.seat) : { found: false };
	} else if (ref.kind === 'bulletin') {
		const [row] = await statements.bulletin.execute({ sessionId, scopeId: ref.scopeId, year: ref.year, quarter: ref.quarter });
		if (!row) return null;
		({ session, user } = row);
		access = row.record ? bulletinAccess(user, row.record, row.seat) : { found: false };
	} else {
		const [row] = await statements.board.execute({ sessionId, committeeId: ref.committeeId });
		if (!row) return null;
		({ session, user } = row);
		// Boards get their own lifecycle in a later issue; until then they are open.
		access = row.record ? committeeAccess(user, ref.kind, row.record.committeeId, 'scheduled', row.seat) : { found: false };
	}
	if (!secretMatches(parsed.secret, session.secretHash)) return null;
	if (sessionVerdict(session, now) !== 'current') {
		const validated = await validateSessionToken(db, token, now);
		if (!validated) return null;
		return { user: validated.user, access: await resolveDocAccess(db, validated.user, ref) };
	}
	return { user, access };
}
