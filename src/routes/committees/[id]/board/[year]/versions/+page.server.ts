import { error, fail } from '@sveltejs/kit';
import { atLeast } from '$lib/domain/permissions';
import { boardDocName } from '$lib/docs/board';
import { canRestoreBoard, restoreBoardVersion } from '$lib/server/boardVersion';
import { getDb, type DbOrTx } from '$lib/server/db';
import { resolveDocAccess } from '$lib/server/docAccess';
import { requireUser } from '$lib/server/guard';
import { loadVersionHistory, restoreFromForm, saveManualVersion } from '$lib/server/versionHistory';
import { visibleCommittee } from '$lib/server/visibility';
import type { SessionUser } from '$lib/server/auth/session';
import type { Actions, PageServerLoad } from './$types';

/** The board year's document, for whoever may read the board; 404 otherwise (as the board page). */
async function boardAccess(db: DbOrTx, user: SessionUser, params: { id: string; year: string }) {
	if (!/^\d{4}$/.test(params.year)) error(404, { message: 'not-found', code: 'not_found' });
	const year = Number(params.year);
	const committee = await visibleCommittee(db, user, params.id);
	if (!committee) error(404, { message: 'not-found', code: 'not_found' });
	const access = await resolveDocAccess(db, user, { kind: 'board', committeeId: committee.id, year });
	if (!access.found || access.access === 'none') error(404, { message: 'not-found', code: 'not_found' });
	return { committee, year, name: boardDocName(committee.id, year), canWrite: atLeast(access.access, 'write') };
}

export const load: PageServerLoad = async ({ params, locals, url }) => {
	const user = requireUser(locals, url);
	const db = await getDb();
	const { committee, year, name, canWrite } = await boardAccess(db, user, params);
	return {
		committee: { id: committee.id, name: committee.name },
		year,
		...(await loadVersionHistory(db, name, 'board', url.searchParams)),
		canSave: canWrite,
		canRestore: await canRestoreBoard(db, committee.id, user)
	};
};

export const actions: Actions = {
	save: async ({ params, locals, url, request }) => {
		const user = requireUser(locals, url);
		const db = await getDb();
		const { name, canWrite } = await boardAccess(db, user, params);
		if (!canWrite) return fail(403, { versionError: 'version.notAllowed' as const });
		return saveManualVersion(db, name, user, await request.formData());
	},
	restore: async ({ params, locals, url, request }) => {
		const user = requireUser(locals, url);
		const db = await getDb();
		const { committee, year } = await boardAccess(db, user, params);
		return restoreFromForm(await request.formData(), (versionId) => restoreBoardVersion(db, { committeeId: committee.id, year, versionId, actor: user }));
	}
};
