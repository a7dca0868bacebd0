import { fail, redirect } from '@sveltejs/kit';
import { chinaToday } from '$lib/domain/projectStatus';
import { quarterOf } from '$lib/domain/bulletin';
import { BulletinError, draftBulletin, listBulletins } from '$lib/server/bulletin';
import { getDb } from '$lib/server/db';
import { requireUser } from '$lib/server/guard';
import { visibleCommittees } from '$lib/server/visibility';
import { listDistricts } from '$lib/server/organisation';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	const user = requireUser(locals, url);
	const db = await getDb();
	const committees = await visibleCommittees(db, user);
	// District-wide bulletins are the administrators'.
	const districts = user.isAdmin ? (await listDistricts(db)).map((d) => ({ id: d.id, name: d.name })) : [];
	const names = new Map<string, string>([...committees.map((c) => [c.id, c.name] as const), ...districts.map((d) => [d.id, d.name] as const)]);
	const only = url.searchParams.get('scope');
	const scopeIds = [...names.keys()].filter((id) => !only || id === only);
	const today = chinaToday();
	return {
		bulletins: (await listBulletins(db, scopeIds)).map((b) => ({ scopeId: b.scopeId, scopeName: names.get(b.scopeId) ?? '', year: b.year, quarter: b.quarter, period: b.period, state: b.state, figuresAsOf: b.figuresAsOf, district: b.committeeId === null })),
		// Where this person may draft: committees they convene or record for, every committee and the district for an administrator.
		scopes: [
			...districts.map((d) => ({ id: d.id, name: d.name, district: true })),
			...committees.filter((c) => user.isAdmin || c.role === 'convener' || c.role === 'recorder').map((c) => ({ id: c.id, name: c.name, district: false }))
		],
		selected: only,
		current: quarterOf(today)
	};
};

export const actions: Actions = {
	draft: async ({ locals, url, request }) => {
		const user = requireUser(locals, url);
		const form = await request.formData();
		const scopeId = String(form.get('scope') ?? '');
		const year = Number(form.get('year'));
		const quarter = Number(form.get('quarter'));
		let period: string;
		try {
			const row = await draftBulletin(await getDb(), user, { scopeId, year, quarter });
			period = row.period;
		} catch (err) {
			if (err instanceof BulletinError) return fail(400, { error: err.key, params: err.params, scopeId, year, quarter });
			throw err;
		}
		redirect(303, `/bulletins/${scopeId}/${period}`);
	}
};
