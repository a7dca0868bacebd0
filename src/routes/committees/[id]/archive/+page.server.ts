import { error } from '@sveltejs/kit';
import { loadArchive, parseArchiveQuery } from '$lib/server/archivePage';
import { getDb } from '$lib/server/db';
import { requireUser } from '$lib/server/guard';
import { visibleCommittee } from '$lib/server/visibility';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params, locals, url }) => {
	const user = requireUser(locals, url);
	const db = await getDb();
	const committee = await visibleCommittee(db, user, params.id);
	if (!committee) error(404, { message: 'not-found', code: 'not_found' });
	return { committee: { id: committee.id, name: committee.name }, archive: await loadArchive(db, user, { ...parseArchiveQuery(url), committeeId: null, streetId: null }, committee) };
};
