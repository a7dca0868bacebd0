import { getDb } from '$lib/server/db';
import { requireAdmin } from '$lib/server/guard';
import { createStreet, deleteStreet, getStreet, listDistricts, listStreets, renameStreet } from '$lib/server/organisation';
import { NAME_ERRORS, done, field, invalid, refused } from '../forms';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	requireAdmin(locals, url);
	const db = await getDb();
	const [districts, streets] = await Promise.all([listDistricts(db), listStreets(db)]);
	const districtNames = new Map(districts.map((d) => [d.id, d.name]));
	return {
		districts: districts.map((d) => ({ id: d.id, name: d.name })),
		streets: streets.map((s) => ({
			id: s.id,
			name: s.name,
			districtName: districtNames.get(s.districtId) ?? '',
			communityCount: s.communityCount,
			committeeId: s.committeeId
		}))
	};
};

export const actions: Actions = {
	create: async ({ locals, url, request }) => {
		requireAdmin(locals, url);
		const data = await request.formData();
		const db = await getDb();
		const input = { name: field(data, 'name'), districtId: field(data, 'districtId') };
		// With one district (the usual case) the form does not ask for it.
		if (input.districtId === '') {
			const districts = await listDistricts(db);
			if (districts.length !== 1 || !districts[0]) return invalid('create', input, { districtId: { key: 'organisation.districtNotFound' } });
			input.districtId = districts[0].id;
		}
		try {
			const street = await createStreet(db, input);
			return done('create', 'admin.created', { name: street.name });
		} catch (err) {
			return refused(err, 'create', input, { ...NAME_ERRORS, 'organisation.districtNotFound': 'districtId' });
		}
	},
	rename: async ({ locals, url, request }) => {
		requireAdmin(locals, url);
		const data = await request.formData();
		const id = field(data, 'id');
		const input = { name: field(data, 'name') };
		try {
			const street = await renameStreet(await getDb(), id, input.name);
			return done(`rename:${id}`, 'admin.renamed', { name: street.name });
		} catch (err) {
			return refused(err, `rename:${id}`, input, NAME_ERRORS);
		}
	},
	delete: async ({ locals, url, request }) => {
		requireAdmin(locals, url);
		const id = field(await request.formData(), 'id');
		const db = await getDb();
		try {
			const street = await getStreet(db, id);
			await deleteStreet(db, id);
			return done('delete', 'admin.deleted', { name: street?.name ?? '' });
		} catch (err) {
			return refused(err, `delete:${id}`, {});
		}
	}
};
