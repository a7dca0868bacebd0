import { error } from '@sveltejs/kit';
import { atLeast } from '$lib/domain/permissions';
import { agendaDocName } from '$lib/docs/agenda';
import { minutesDocName } from '$lib/docs/minutes';
import type { DbOrTx } from '$lib/server/db';
import { resolveDocAccess } from '$lib/server/docAccess';
import type { SessionUser } from '$lib/server/auth/session';

export type VersionedDoc = 'minutes' | 'agenda';
export const isVersionedDoc = (value: string | null): value is VersionedDoc => value === 'minutes' || value === 'agenda';

export const docNameOf = (meetingId: string, doc: VersionedDoc) => (doc === 'minutes' ? minutesDocName(meetingId) : agendaDocName(meetingId));

/** Versions are readable by whoever may read the document, and saved by whoever may write it; to anyone else the meeting does not exist (guard.ts). */
export async function versionAccess(db: DbOrTx, user: SessionUser, meetingId: string, doc: VersionedDoc) {
	const access = await readableVersions(db, user, meetingId, doc);
	if (!access) error(404, { message: 'not-found', code: 'not_found' });
	return access;
}

/** The same, null where the person may not read the document (or the meeting does not exist). */
export async function readableVersions(db: DbOrTx, user: SessionUser, meetingId: string, doc: VersionedDoc) {
	const access = await resolveDocAccess(db, user, { kind: doc, meetingId });
	if (!access.found || access.access === 'none') return null;
	return { name: docNameOf(meetingId, doc), canWrite: atLeast(access.access, 'write'), state: access.state };
}
