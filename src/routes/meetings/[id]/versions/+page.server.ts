import { error, fail } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { canRestore, restoreVersion } from '$lib/server/docVersion';
import { requireUser } from '$lib/server/guard';
import { getMeeting } from '$lib/server/meeting';
import { loadVersionHistory, restoreFromForm, saveManualVersion } from '$lib/server/versionHistory';
import { isVersionedDoc, versionAccess, type VersionedDoc } from './access.server';
import type { Actions, PageServerLoad } from './$types';

const docOf = (url: URL): VersionedDoc => {
	const doc = url.searchParams.get('doc');
	return isVersionedDoc(doc) ? doc : 'minutes';
};

export const load: PageServerLoad = async ({ params, locals, url }) => {
	const user = requireUser(locals, url);
	const db = await getDb();
	const meeting = await getMeeting(db, params.id);
	if (!meeting) error(404, { message: 'not-found', code: 'not_found' });
	const doc = docOf(url);
	const { name, canWrite } = await versionAccess(db, user, meeting.id, doc);
	return {
		meeting: { id: meeting.id, title: meeting.title, state: meeting.state },
		doc,
		...(await loadVersionHistory(db, name, doc, url.searchParams)),
		canSave: canWrite && meeting.state !== 'finalized',
		canRestore: await canRestore(db, meeting.id, user)
	};
};

export const actions: Actions = {
	save: async ({ params, locals, url, request }) => {
		const user = requireUser(locals, url);
		const db = await getDb();
		const form = await request.formData();
		const { name, canWrite } = await versionAccess(db, user, params.id, docOf(url));
		if (!canWrite) return fail(403, { versionError: 'version.notAllowed' as const });
		return saveManualVersion(db, name, user, form);
	},
	restore: async ({ params, locals, url, request }) => {
		const user = requireUser(locals, url);
		const db = await getDb();
		const form = await request.formData();
		const doc = docOf(url);
		await versionAccess(db, user, params.id, doc);
		return restoreFromForm(form, (versionId) => restoreVersion(db, { meetingId: params.id, doc, versionId, actor: user }));
	}
};
