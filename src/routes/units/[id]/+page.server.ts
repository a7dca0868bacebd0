import { error } from '@sveltejs/kit';
import { chinaToday } from '$lib/domain/projectStatus';
import { getDb } from '$lib/server/db';
import { requireUser } from '$lib/server/guard';
import { mayViewUnit, unitYear } from '$lib/server/unitSummary';
import type { PageServerLoad } from './$types';

/** A member unit's year for the annual party-building assessment (基层党建考核). */
export const load: PageServerLoad = async ({ params, locals, url }) => {
	const user = requireUser(locals, url);
	const db = await getDb();
	if (!(await mayViewUnit(db, user, params.id))) error(404, { message: 'not-found', code: 'not_found' });
	const today = chinaToday();
	const raw = Number(url.searchParams.get('year'));
	const year = Number.isInteger(raw) && raw >= 2000 && raw <= 2100 ? raw : Number(today.slice(0, 4));
	const summary = await unitYear(db, params.id, year, today);
	if (!summary) error(404, { message: 'not-found', code: 'not_found' });
	return { summary, years: [Number(today.slice(0, 4)), Number(today.slice(0, 4)) - 1, Number(today.slice(0, 4)) - 2] };
};
