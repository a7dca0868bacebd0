import { listCommittees } from '$lib/server/committee';
import { database, getDb } from '$lib/server/db';
import { requireAdmin } from '$lib/server/guard';
import { getOrCreateDistrict, listDistricts, renameDistrict } from '$lib/server/organisation';
import { countUsers } from '$lib/server/userAdmin';
import { NAME_ERRORS, done, field, refused } from './forms';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	requireAdmin(locals, url);
	const db = await getDb();
	const [districts, committees, users] = await Promise.all([listDistricts(db), listCommittees(db), countUsers(db)]);
	const sum = (pick: (d: (typeof districts)[number]) => number) => districts.reduce((n, d) => n + pick(d), 0);
	return {
		districts: districts.map((d) => ({ id: d.id, name: d.name })),
		counts: {
			streets: sum((d) => d.streetCount),
			communities: sum((d) => d.communityCount),
			units: sum((d) => d.unitCount),
			committees: committees.length,
			users
		},
		// The embedded database is backed up from here; PostgreSQL with pg_dump.
		embedded: (await database()).kind === 'pglite'
	};
};

export const actions: Actions = {
	/** A fresh install has no district; streets and units cannot exist without one. */
	createDistrict: async ({ locals, url, request }) => {
		requireAdmin(locals, url);
		const input = { name: field(await request.formData(), 'name') };
		try {
			const district = await getOrCreateDistrict(await getDb(), input.name);
			return done('createDistrict', 'admin.overview.districtCreated', { name: district.name });
		} catch (err) {
			return refused(err, 'createDistrict', input, NAME_ERRORS);
		}
	},
	renameDistrict: async ({ locals, url, request }) => {
		requireAdmin(locals, url);
		const data = await request.formData();
		const id = field(data, 'id');
		const input = { name: field(data, 'name') };
		try {
			const district = await renameDistrict(await getDb(), id, input.name);
			return done(`renameDistrict:${id}`, 'admin.renamed', { name: district.name });
		} catch (err) {
			return refused(err, `renameDistrict:${id}`, input, NAME_ERRORS);
		}
	}
};
