import { loadArchive, parseArchiveQuery } from '$lib/server/archivePage';
import { getDb } from '$lib/server/db';
import { requireUser } from '$lib/server/guard';
import type { PageServerLoad } from './$types';

/** Every record the reader may see: the district's archive for an administrator, their committees' otherwise. */
export const load: PageServerLoad = async ({ locals, url }) => {
	const user = requireUser(locals, url);
	return { archive: await loadArchive(await getDb(), user, parseArchiveQuery(url)), isAdmin: user.isAdmin };
};
