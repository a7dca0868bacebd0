import { getDb } from '$lib/server/db';
import { unitKinds, type UnitKind } from '$lib/server/db/schema';
import { requireAdmin } from '$lib/server/guard';
import { CONTACT_NAME_MAX, cleanContactName, createUnit, deleteUnit, getUnit, isUnitKind, listDistricts, listUnits, updateUnit } from '$lib/server/organisation';
import { NAME_ERRORS, done, field, invalid, pageParam, paginate, refused } from '../forms';
import type { Actions, PageServerLoad } from './$types';

const UNITS_PAGE_SIZE = 25;

const UNIT_ERRORS: Record<string, string> = {
	...NAME_ERRORS,
	'organisation.unknownKind': 'kind',
	'organisation.badPhone': 'contactPhone',
	'organisation.districtNotFound': 'districtId'
};

/** contactTooLong is raised for either contact field; the message names the limit, the field says which. */
function unitErrors(input: { contactName: string; contactPhone: string }): Record<string, string> {
	return { ...UNIT_ERRORS, 'organisation.contactTooLong': [...cleanContactName(input.contactName)].length > CONTACT_NAME_MAX ? 'contactName' : 'contactPhone' };
}

/** Search ignores case, width (全角/半角) and spaces, the ways the same name is typed differently. */
function fold(text: string): string {
	return text.normalize('NFKC').toLowerCase().replace(/\s+/g, '');
}

export const load: PageServerLoad = async ({ locals, url }) => {
	requireAdmin(locals, url);
	const db = await getDb();
	const kindParam = url.searchParams.get('kind') ?? '';
	const kind: UnitKind | undefined = isUnitKind(kindParam) ? kindParam : undefined;
	const q = (url.searchParams.get('q') ?? '').trim();
	const [districts, all] = await Promise.all([listDistricts(db), listUnits(db, { kind })]);
	const needle = fold(q);
	const matching = needle === '' ? all : all.filter((u) => fold(`${u.name} ${u.contactName} ${u.contactPhone}`).includes(needle));
	const shown = paginate(matching, pageParam(url), UNITS_PAGE_SIZE);
	return {
		kinds: unitKinds,
		districts: districts.map((d) => ({ id: d.id, name: d.name })),
		filter: { kind: kind ?? '', q },
		unitTotal: districts.reduce((n, d) => n + d.unitCount, 0),
		units: shown.items.map((u) => ({
			id: u.id,
			name: u.name,
			kind: u.kind,
			contactName: u.contactName,
			contactPhone: u.contactPhone,
			seats: u.membershipCount
		})),
		page: shown.page,
		pages: shown.pages,
		total: shown.total
	};
};

function unitInput(data: FormData) {
	return { name: field(data, 'name'), kind: field(data, 'kind'), contactName: field(data, 'contactName'), contactPhone: field(data, 'contactPhone') };
}

export const actions: Actions = {
	create: async ({ locals, url, request }) => {
		requireAdmin(locals, url);
		const data = await request.formData();
		const db = await getDb();
		const input = { ...unitInput(data), districtId: field(data, 'districtId') };
		if (input.districtId === '') {
			const districts = await listDistricts(db);
			if (districts.length !== 1 || !districts[0]) return invalid('create', input, { districtId: { key: 'organisation.districtNotFound' } });
			input.districtId = districts[0].id;
		}
		try {
			const unit = await createUnit(db, input);
			return done('create', 'admin.created', { name: unit.name });
		} catch (err) {
			return refused(err, 'create', input, unitErrors(input));
		}
	},
	update: async ({ locals, url, request }) => {
		requireAdmin(locals, url);
		const data = await request.formData();
		const id = field(data, 'id');
		const input = unitInput(data);
		try {
			const unit = await updateUnit(await getDb(), id, input);
			return done(`update:${id}`, 'admin.saved', { name: unit.name });
		} catch (err) {
			return refused(err, `update:${id}`, input, unitErrors(input));
		}
	},
	delete: async ({ locals, url, request }) => {
		requireAdmin(locals, url);
		const id = field(await request.formData(), 'id');
		const db = await getDb();
		try {
			const unit = await getUnit(db, id);
			await deleteUnit(db, id);
			return done('delete', 'admin.deleted', { name: unit?.name ?? '' });
		} catch (err) {
			return refused(err, `delete:${id}`, {});
		}
	}
};
