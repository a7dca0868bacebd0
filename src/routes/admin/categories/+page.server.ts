import { getDb } from '$lib/server/db';
import { requireAdmin } from '$lib/server/guard';
import { addNeedCategory, moveNeedCategory, needCategoriesOfDistrict, relabelNeedCategory, setNeedCategoryArchived } from '$lib/server/needCategory';
import { listDistricts } from '$lib/server/organisation';
import { done, field, invalid, refused } from '../forms';
import type { Actions, PageServerLoad } from './$types';

/** Error keys about the labels, which belong under the label fields. */
const LABEL_ERRORS: Record<string, string> = {
	'category.labelRequired': 'labelZh',
	'category.labelTooLong': 'labelZh',
	'category.labelTaken': 'labelZh'
};

/** The district the page edits: the one asked for, or the only one. */
async function districtOf(url: URL, data?: FormData): Promise<string | null> {
	const db = await getDb();
	const districts = await listDistricts(db);
	const asked = (data ? field(data, 'districtId') : '') || url.searchParams.get('district') || '';
	if (asked) return districts.some((d) => d.id === asked) ? asked : null;
	return districts.length >= 1 && districts[0] ? districts[0].id : null;
}

export const load: PageServerLoad = async ({ locals, url }) => {
	requireAdmin(locals, url);
	const db = await getDb();
	const districts = await listDistricts(db);
	const districtId = await districtOf(url);
	return {
		districts: districts.map((d) => ({ id: d.id, name: d.name })),
		districtId,
		categories: districtId ? await needCategoriesOfDistrict(db, districtId) : []
	};
};

export const actions: Actions = {
	add: async ({ locals, url, request }) => {
		const actor = requireAdmin(locals, url);
		const data = await request.formData();
		const input = { labelZh: field(data, 'labelZh'), labelEn: field(data, 'labelEn') };
		const districtId = await districtOf(url, data);
		if (!districtId) return invalid('add', input, { form: { key: 'organisation.districtNotFound' } });
		try {
			const created = await addNeedCategory(await getDb(), actor.id, districtId, input);
			return done('add', 'admin.created', { name: created.labelZh });
		} catch (err) {
			return refused(err, 'add', input, LABEL_ERRORS);
		}
	},
	relabel: async ({ locals, url, request }) => {
		const actor = requireAdmin(locals, url);
		const data = await request.formData();
		const key = field(data, 'key');
		const input = { labelZh: field(data, 'labelZh'), labelEn: field(data, 'labelEn') };
		const form = `relabel:${key}`;
		const districtId = await districtOf(url, data);
		if (!districtId) return invalid(form, input, { form: { key: 'organisation.districtNotFound' } });
		try {
			await relabelNeedCategory(await getDb(), actor.id, districtId, key, input);
			return done(form, 'admin.renamed', { name: input.labelZh.trim() });
		} catch (err) {
			return refused(err, form, input, LABEL_ERRORS);
		}
	},
	archive: async ({ locals, url, request }) => {
		const actor = requireAdmin(locals, url);
		const data = await request.formData();
		const key = field(data, 'key');
		const archived = field(data, 'archived') === 'true';
		const districtId = await districtOf(url, data);
		if (!districtId) return invalid(`archive:${key}`, {}, { form: { key: 'organisation.districtNotFound' } });
		try {
			await setNeedCategoryArchived(await getDb(), actor.id, districtId, key, archived);
			return done(`archive:${key}`, archived ? 'admin.categories.archived' : 'admin.categories.restored');
		} catch (err) {
			return refused(err, `archive:${key}`, {});
		}
	},
	move: async ({ locals, url, request }) => {
		const actor = requireAdmin(locals, url);
		const data = await request.formData();
		const key = field(data, 'key');
		const step = field(data, 'step') === 'up' ? -1 : 1;
		const districtId = await districtOf(url, data);
		if (!districtId) return invalid(`move:${key}`, {}, { form: { key: 'organisation.districtNotFound' } });
		try {
			await moveNeedCategory(await getDb(), actor.id, districtId, key, step);
			return done(`move:${key}`, 'admin.categories.moved');
		} catch (err) {
			return refused(err, `move:${key}`, {});
		}
	}
};
