import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import {
	OrganisationError,
	createCommunity,
	createStreet,
	createUnit,
	deleteCommunity,
	deleteDistrict,
	deleteStreet,
	deleteUnit,
	getCommunity,
	getOrCreateDistrict,
	getStreet,
	getUnit,
	listCommunities,
	listDistricts,
	listStreets,
	listUnits,
	renameDistrict,
	renameStreet,
	updateCommunity,
	updateUnit,
	type District
} from '../../src/lib/server/organisation';
import { addMember, createCommittee, deleteCommittee } from '../../src/lib/server/committee';
import { createUser } from '../../src/lib/server/user';

let database: TestDatabase;
let district: District;
beforeAll(async () => {
	database = await createTestDatabase();
	district = await getOrCreateDistrict(database.db, '  青川区 ');
});
afterAll(async () => {
	await database?.destroy();
});

/** Runs `action` and returns the key of the OrganisationError it throws. */
async function refusal(action: () => Promise<unknown>): Promise<{ key: string; params: Record<string, string | number> }> {
	try {
		await action();
	} catch (err) {
		if (err instanceof OrganisationError) return { key: err.key, params: err.params };
		throw err;
	}
	throw new Error('expected an OrganisationError');
}

describe('districts', () => {
	it('getOrCreateDistrict creates once and then finds the same row', async () => {
		expect(district.name).toBe('青川区');
		const again = await getOrCreateDistrict(database.db, '青川区');
		expect(again.id).toBe(district.id);
		const listed = await listDistricts(database.db);
		expect(listed.map((d) => d.name)).toEqual(['青川区']);
	});

	it('validates names', async () => {
		expect((await refusal(() => getOrCreateDistrict(database.db, '   '))).key).toBe('organisation.nameRequired');
		expect(await refusal(() => getOrCreateDistrict(database.db, '区'.repeat(101)))).toEqual({ key: 'organisation.nameTooLong', params: { max: 100 } });
		const other = await getOrCreateDistrict(database.db, '临时区');
		expect((await refusal(() => renameDistrict(database.db, other.id, '青川区'))).key).toBe('organisation.nameTaken');
		await deleteDistrict(database.db, other.id);
		expect((await refusal(() => deleteDistrict(database.db, other.id))).key).toBe('organisation.districtNotFound');
	});
});

describe('streets and communities', () => {
	it('create, list with counts in pinyin order, rename', async () => {
		const linjiang = await createStreet(database.db, { districtId: district.id, name: '临江街道' });
		const beiyuan = await createStreet(database.db, { districtId: district.id, name: '北苑街道' });
		await createCommunity(database.db, { streetId: linjiang.id, name: '滨江社区' });
		await createCommunity(database.db, { streetId: linjiang.id, name: '望江社区' });
		await createCommunity(database.db, { streetId: beiyuan.id, name: '枫林社区' });

		const listed = await listStreets(database.db, district.id);
		expect(listed.map((s) => [s.name, s.communityCount, s.committeeId])).toEqual([
			['北苑街道', 1, null],
			['临江街道', 2, null]
		]);
		const inLinjiang = await listCommunities(database.db, linjiang.id);
		expect(inLinjiang.map((c) => [c.name, c.streetName])).toEqual([
			['滨江社区', '临江街道'],
			['望江社区', '临江街道']
		]);
		expect((await listCommunities(database.db)).map((c) => c.name)).toEqual(['枫林社区', '滨江社区', '望江社区']);

		const renamed = await renameStreet(database.db, beiyuan.id, '  北苑  街道 ');
		expect(renamed.name).toBe('北苑 街道');
		expect((await getStreet(database.db, beiyuan.id))?.name).toBe('北苑 街道');
		const districts = await listDistricts(database.db);
		expect(districts.find((d) => d.id === district.id)).toMatchObject({ streetCount: 2, communityCount: 3, unitCount: 0 });
	});

	it('turns duplicate names into a domain error, per parent only', async () => {
		const [street] = await listStreets(database.db, district.id);
		expect(await refusal(() => createStreet(database.db, { districtId: district.id, name: street!.name }))).toEqual({
			key: 'organisation.nameTaken',
			params: { name: street!.name }
		});
		const other = (await listStreets(database.db, district.id)).find((s) => s.id !== street!.id)!;
		const existing = (await listCommunities(database.db, other.id))[0]!;
		// The same community name under another street is fine.
		const twin = await createCommunity(database.db, { streetId: street!.id, name: existing.name });
		expect((await refusal(() => createCommunity(database.db, { streetId: other.id, name: existing.name }))).key).toBe('organisation.nameTaken');
		expect((await refusal(() => updateCommunity(database.db, twin.id, { streetId: other.id }))).key).toBe('organisation.nameTaken');
		await deleteCommunity(database.db, twin.id);
		expect(await getCommunity(database.db, twin.id)).toBeNull();
	});

	it('a failed rename inside a caller transaction leaves that transaction usable', async () => {
		const [a, b] = await listStreets(database.db, district.id);
		await database.db.transaction(async (tx) => {
			expect((await refusal(() => renameStreet(tx, a!.id, b!.name))).key).toBe('organisation.nameTaken');
			await renameStreet(tx, a!.id, `${a!.name}（新）`);
		});
		expect((await getStreet(database.db, a!.id))?.name).toBe(`${a!.name}（新）`);
	});

	it('refuses to delete what is still referenced', async () => {
		const street = await createStreet(database.db, { districtId: district.id, name: '桂香街道' });
		const community = await createCommunity(database.db, { streetId: street.id, name: '桂园社区' });
		const committee = await createCommittee(database.db, { kind: 'community', communityId: community.id });
		expect(await refusal(() => deleteStreet(database.db, street.id))).toEqual({ key: 'organisation.streetHasCommunities', params: { count: 1 } });
		expect((await refusal(() => deleteCommunity(database.db, community.id))).key).toBe('organisation.communityHasCommittee');
		expect((await refusal(() => deleteDistrict(database.db, district.id))).key).toBe('organisation.districtHasStreets');

		await deleteCommittee(database.db, committee.id);
		await deleteCommunity(database.db, community.id);
		const streetCommittee = await createCommittee(database.db, { kind: 'street', streetId: street.id });
		expect((await refusal(() => deleteStreet(database.db, street.id))).key).toBe('organisation.streetHasCommittee');
		await deleteCommittee(database.db, streetCommittee.id);
		await deleteStreet(database.db, street.id);
		expect(await getStreet(database.db, street.id)).toBeNull();
		expect((await refusal(() => deleteStreet(database.db, street.id))).key).toBe('organisation.streetNotFound');
	});

	it('reports missing parents', async () => {
		const missing = '00000000-0000-4000-8000-000000000000';
		expect((await refusal(() => createStreet(database.db, { districtId: missing, name: 'x' }))).key).toBe('organisation.districtNotFound');
		expect((await refusal(() => createCommunity(database.db, { streetId: missing, name: 'x' }))).key).toBe('organisation.streetNotFound');
		expect((await refusal(() => updateCommunity(database.db, missing, { name: 'x' }))).key).toBe('organisation.communityNotFound');
	});
});

describe('units', () => {
	it('create, validate, list, update', async () => {
		const school = await createUnit(database.db, { districtId: district.id, name: '青川区第10中学', kind: 'school', contactName: ' 李 明 ', contactPhone: '0838-8860 1001' });
		expect(school).toMatchObject({ name: '青川区第10中学', kind: 'school', contactName: '李 明', contactPhone: '0838-8860 1001' });
		await createUnit(database.db, { districtId: district.id, name: '青川区第2中学', kind: 'school' });
		await createUnit(database.db, { districtId: district.id, name: '青川区民政局', kind: 'agency', contactPhone: '(0838)88601002转802' });

		expect(await refusal(() => createUnit(database.db, { districtId: district.id, name: '医馆', kind: 'clinic' }))).toEqual({
			key: 'organisation.unknownKind',
			params: { value: 'clinic' }
		});
		expect((await refusal(() => createUnit(database.db, { districtId: district.id, name: '某单位', kind: 'other', contactPhone: '找王主任' }))).key).toBe('organisation.badPhone');
		expect((await refusal(() => createUnit(database.db, { districtId: district.id, name: '青川区民政局', kind: 'agency' }))).key).toBe('organisation.nameTaken');

		const schools = await listUnits(database.db, { districtId: district.id, kind: 'school' });
		// Numeric collation: 第2 before 第10.
		expect(schools.map((u) => u.name)).toEqual(['青川区第2中学', '青川区第10中学']);

		const updated = await updateUnit(database.db, school.id, { contactPhone: '13800000000' });
		expect(updated).toMatchObject({ name: '青川区第10中学', contactName: '李 明', contactPhone: '13800000000' });
		expect((await refusal(() => updateUnit(database.db, school.id, { name: '青川区民政局' }))).key).toBe('organisation.nameTaken');
		expect((await getUnit(database.db, school.id))?.name).toBe('青川区第10中学');
	});

	it('refuses to delete a unit that holds committee seats', async () => {
		const street = await createStreet(database.db, { districtId: district.id, name: '书院街道' });
		const committee = await createCommittee(database.db, { kind: 'street', streetId: street.id });
		const unit = await createUnit(database.db, { districtId: district.id, name: '青川区人民医院', kind: 'hospital' });
		const userId = await createUser(database.db, { username: 'doctor', displayName: '刘医生', password: 'long-enough-1' });
		await addMember(database.db, { committeeId: committee.id, userId, role: 'part_time', unitId: unit.id, actorId: null });
		const listed = await listUnits(database.db, { districtId: district.id });
		expect(listed.find((u) => u.id === unit.id)?.membershipCount).toBe(1);
		expect(await refusal(() => deleteUnit(database.db, unit.id))).toEqual({ key: 'organisation.unitHasMembers', params: { count: 1 } });
		expect((await refusal(() => deleteDistrict(database.db, district.id))).key).toBe('organisation.districtHasStreets');

		const spare = await createUnit(database.db, { districtId: district.id, name: '临时单位', kind: 'other' });
		await deleteUnit(database.db, spare.id);
		expect(await getUnit(database.db, spare.id)).toBeNull();
	});
});
