import { error } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { requireUser } from '$lib/server/guard';
import { getProjectItem } from '$lib/server/projectItem';
import { visibleCommittee } from '$lib/server/visibility';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params, locals, url }) => {
	const user = requireUser(locals, url);
	const db = await getDb();
	const item = await getProjectItem(db, params.id);
	if (!item) error(404, { message: 'not-found', code: 'not_found' });
	// Whoever may see the committee may see its items.
	if (!(await visibleCommittee(db, user, item.committeeId))) error(404, { message: 'not-found', code: 'not_found' });
	return { item };
};
