import { createCommittee, deleteCommittee, getCommittee, listCommittees, renameCommittee, type CreateCommitteeInput } from '$lib/server/committee';
import { getDb } from '$lib/server/db';
import { requireAdmin } from '$lib/server/guard';
import { listCommunities, listStreets } from '$lib/server/organisation';
import { NAME_ERRORS, done, field, invalid, refused } from '../forms';
import type { Actions, PageServerLoad } from './$types';

const TARGET_ERRORS: Record<string, string> = {
	...NAME_ERRORS,
	'committee.communityNotFound': 'target',
	'committee.streetNotFound': 'target',
	'committee.alreadyExists': 'target',
	'committee.unknownKind': 'target'
};

export const load: PageServerLoad = async ({ locals, url }) => {
	requireAdmin(locals, url);
	const db = await getDb();
	const [committees, streets, communities] = await Promise.all([listCommittees(db), listStreets(db), listCommunities(db)]);
	return {
		// Kept in the order listCommittees gives: each street's 大工委, then its communities' 大党委.
		committees: committees.map((c) => ({ id: c.id, kind: c.kind, name: c.name, streetName: c.streetName, communityName: c.communityName, memberCount: c.memberCount })),
		// Only places without a committee can get one (one per community, one per street).
		freeStreets: streets.filter((s) => s.committeeId === null).map((s) => ({ id: s.id, name: s.name })),
		freeCommunities: communities.filter((c) => c.committeeId === null).map((c) => ({ id: c.id, name: c.name, streetName: c.streetName })),
		hasPlaces: streets.length > 0
	};
};

/** The create form names its target as "street:<id>" or "community:<id>". */
function target(value: string): CreateCommitteeInput | null {
	const [kind, id] = value.split(':');
	if (!id) return null;
	if (kind === 'street') return { kind: 'street', streetId: id };
	if (kind === 'community') return { kind: 'community', communityId: id };
	return null;
}

export const actions: Actions = {
	create: async ({ locals, url, request }) => {
		const user = requireAdmin(locals, url);
		const data = await request.formData();
		const input = { target: field(data, 'target'), name: field(data, 'name') };
		const place = target(input.target);
		if (!place) return invalid('create', input, { target: { key: 'admin.committees.targetRequired' } });
		try {
			// An empty name means the default one ("…社区大党委" / "…街道大工委").
			const committee = await createCommittee(await getDb(), { ...place, name: input.name.trim() === '' ? undefined : input.name, actorId: user.id });
			return done('create', 'committee.created', { name: committee.name });
		} catch (err) {
			return refused(err, 'create', input, TARGET_ERRORS);
		}
	},
	rename: async ({ locals, url, request }) => {
		const user = requireAdmin(locals, url);
		const data = await request.formData();
		const id = field(data, 'id');
		const input = { name: field(data, 'name') };
		try {
			const committee = await renameCommittee(await getDb(), id, input.name, user.id);
			return done(`rename:${id}`, 'committee.renamed', { name: committee.name });
		} catch (err) {
			return refused(err, `rename:${id}`, input, NAME_ERRORS);
		}
	},
	delete: async ({ locals, url, request }) => {
		const user = requireAdmin(locals, url);
		const id = field(await request.formData(), 'id');
		const db = await getDb();
		try {
			const committee = await getCommittee(db, id);
			await deleteCommittee(db, id, user.id);
			return done('delete', 'committee.deleted', { name: committee?.name ?? '' });
		} catch (err) {
			return refused(err, `delete:${id}`, {});
		}
	}
};
