import { getDb } from '$lib/server/db';
import { requireAdmin } from '$lib/server/guard';
import { createCommunity, deleteCommunity, getCommunity, listCommunities, listStreets, updateCommunity } from '$lib/server/organisation';
import { NAME_ERRORS, done, field, refused } from '../forms';
import type { Actions, PageServerLoad } from './$types';

const STREET_ERRORS = { ...NAME_ERRORS, 'organisation.streetNotFound': 'streetId' };

export const load: PageServerLoad = async ({ locals, url }) => {
	requireAdmin(locals, url);
	const db = await getDb();
	const streets = await listStreets(db);
	const wanted = url.searchParams.get('street') ?? '';
	// An unknown or stale street id in the address shows everything rather than an error.
	const street = streets.find((s) => s.id === wanted) ?? null;
	const communities = await listCommunities(db, street?.id);
	return {
		streets: streets.map((s) => ({ id: s.id, name: s.name })),
		street: street ? { id: street.id, name: street.name } : null,
		communities: communities.map((c) => ({ id: c.id, name: c.name, streetId: c.streetId, streetName: c.streetName, committeeId: c.committeeId }))
	};
};

export const actions: Actions = {
	create: async ({ locals, url, request }) => {
		requireAdmin(locals, url);
		const data = await request.formData();
		const input = { name: field(data, 'name'), streetId: field(data, 'streetId') };
		try {
			const community = await createCommunity(await getDb(), input);
			return done('create', 'admin.created', { name: community.name });
		} catch (err) {
			return refused(err, 'create', input, STREET_ERRORS);
		}
	},
	update: async ({ locals, url, request }) => {
		requireAdmin(locals, url);
		const data = await request.formData();
		const id = field(data, 'id');
		const input = { name: field(data, 'name'), streetId: field(data, 'streetId') };
		try {
			const community = await updateCommunity(await getDb(), id, { name: input.name, streetId: input.streetId || undefined });
			return done(`update:${id}`, 'admin.saved', { name: community.name });
		} catch (err) {
			return refused(err, `update:${id}`, input, STREET_ERRORS);
		}
	},
	delete: async ({ locals, url, request }) => {
		requireAdmin(locals, url);
		const id = field(await request.formData(), 'id');
		const db = await getDb();
		try {
			const community = await getCommunity(db, id);
			await deleteCommunity(db, id);
			return done('delete', 'admin.deleted', { name: community?.name ?? '' });
		} catch (err) {
			return refused(err, `delete:${id}`, {});
		}
	}
};
