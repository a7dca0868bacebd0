import { error, fail } from '@sveltejs/kit';
import { atLeast } from '$lib/domain/permissions';
import { boardDocName } from '$lib/docs/board';
import { canRestoreBoard, restoreBoardVersion } from '$lib/server/boardVersion';
import { getDb, type DbOrTx } from '$lib/server/db';
import { resolveDocAccess } from '$lib/server/docAccess';
import { authorsBetween, captureVersion, currentState, diffVersions, LABEL_MAX, listVersions, readState, VersionError, versionState } from '$lib/server/docVersion';
import { requireUser } from '$lib/server/guard';
import { visibleCommittee } from '$lib/server/visibility';
import type { SessionUser } from '$lib/server/auth/session';
import type { Actions, PageServerLoad } from './$types';

const idOf = (raw: string | null): number | null => (raw && /^\d{1,15}$/.test(raw) ? Number(raw) : null);

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
	const versions = await listVersions(db, name);

	const viewId = idOf(url.searchParams.get('view'));
	let view: { id: number; content: ReturnType<typeof readState> } | null = null;
	if (viewId !== null) {
		const state = await versionState(db, name, viewId);
		if (!state) error(404, { message: 'not-found', code: 'not_found' });
		view = { id: viewId, content: readState('board', state) };
	}

	const fromId = idOf(url.searchParams.get('from'));
	const toRaw = url.searchParams.get('to');
	const toId = toRaw === 'current' ? null : idOf(toRaw);
	let compare: { from: number; to: number | null; diff: ReturnType<typeof diffVersions>; authors: string[] } | null = null;
	if (fromId !== null && (toId !== null || toRaw === 'current')) {
		const from = await versionState(db, name, fromId);
		const to = toId === null ? await currentState(db, name) : await versionState(db, name, toId);
		if (!from || !to) error(404, { message: 'not-found', code: 'not_found' });
		const [older, newer] = toId !== null && toId < fromId ? [toId, fromId] : [fromId, toId];
		compare = { from: fromId, to: toId, diff: diffVersions('board', from, to), authors: await authorsBetween(db, name, older, newer) };
	}

	return {
		committee: { id: committee.id, name: committee.name },
		year,
		versions: versions.map((v) => ({ ...v, createdAt: v.createdAt.toISOString() })),
		view,
		compare,
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
		const label = String((await request.formData()).get('label') ?? '')
			.trim()
			.slice(0, LABEL_MAX);
		const result = await captureVersion(db, name, { reason: 'manual', label, createdBy: user.id });
		return { saved: result.created, versionId: result.id };
	},
	restore: async ({ params, locals, url, request }) => {
		const user = requireUser(locals, url);
		const db = await getDb();
		const { committee, year } = await boardAccess(db, user, params);
		const versionId = idOf(String((await request.formData()).get('version') ?? ''));
		if (versionId === null) return fail(400, { versionError: 'version.notFound' as const });
		try {
			const result = await restoreBoardVersion(db, { committeeId: committee.id, year, versionId, actor: user });
			return { restored: result.id };
		} catch (err) {
			if (err instanceof VersionError) return fail(err.key === 'version.notAllowed' ? 403 : err.key === 'version.notFound' ? 404 : 400, { versionError: err.key });
			throw err;
		}
	}
};
