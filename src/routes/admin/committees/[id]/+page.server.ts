import { error } from '@sveltejs/kit';
import { COMMITTEE_ROLES } from '$lib/domain/roles';
import { addMember, changeMemberRole, getCommittee, listMembers, removeMember } from '$lib/server/committee';
import { getDb } from '$lib/server/db';
import { requireAdmin } from '$lib/server/guard';
import { listUnits } from '$lib/server/organisation';
import { findUserByUsername } from '$lib/server/user';
import { createAccountWithSeat, listUserChoices } from '$lib/server/userAdmin';
import { done, field, invalid, refused } from '../../forms';
import type { Actions, PageServerLoad } from './$types';

/** Which field of the member forms each refusal belongs under. */
const MEMBER_ERRORS: Record<string, string> = {
	'user.badUsername': 'username',
	'user.usernameTaken': 'username',
	'committee.userNotFound': 'username',
	'committee.alreadyMember': 'username',
	'userAdmin.displayNameRequired': 'displayName',
	'userAdmin.displayNameTooLong': 'displayName',
	'password.tooShort': 'password',
	'password.tooLong': 'password',
	'committee.unknownRole': 'role',
	'committee.lastConvener': 'role',
	'committee.partTimeNeedsUnit': 'unitId',
	'committee.unitNotFound': 'unitId'
};

async function committeeOr404(id: string) {
	const committee = await getCommittee(await getDb(), id);
	if (!committee) error(404, { message: 'not-found', code: 'not_found' });
	return committee;
}

export const load: PageServerLoad = async ({ params, locals, url }) => {
	requireAdmin(locals, url);
	const committee = await committeeOr404(params.id);
	const db = await getDb();
	const [members, units, users] = await Promise.all([listMembers(db, committee.id), listUnits(db, { districtId: committee.districtId }), listUserChoices(db)]);
	const seated = new Set(members.map((m) => m.userId));
	return {
		committee: { id: committee.id, name: committee.name, kind: committee.kind, streetName: committee.streetName, communityName: committee.communityName },
		roles: COMMITTEE_ROLES,
		members: members.map((m) => ({ userId: m.userId, username: m.username, displayName: m.displayName, role: m.role, unitId: m.unitId, unitName: m.unitName })),
		units: units.map((u) => ({ id: u.id, name: u.name })),
		// Offered as suggestions when seating an existing account.
		candidates: users.filter((u) => !seated.has(u.id)).map((u) => ({ username: u.username, displayName: u.displayName }))
	};
};

async function memberName(committeeId: string, userId: string): Promise<string> {
	const member = (await listMembers(await getDb(), committeeId)).find((m) => m.userId === userId);
	return member?.displayName ?? '';
}

export const actions: Actions = {
	add: async ({ params, locals, url, request }) => {
		const admin = requireAdmin(locals, url);
		const committee = await committeeOr404(params.id);
		const data = await request.formData();
		const input = {
			mode: field(data, 'mode') === 'new' ? 'new' : 'existing',
			username: field(data, 'username'),
			displayName: field(data, 'displayName'),
			role: field(data, 'role'),
			unitId: field(data, 'unitId')
		};
		const unitId = input.unitId === '' ? null : input.unitId;
		const db = await getDb();
		try {
			if (input.mode === 'new') {
				// The password is not echoed back into the form on a refusal.
				const password = field(data, 'password');
				const account = await createAccountWithSeat(
					db,
					{ username: input.username, displayName: input.displayName, password: password === '' ? null : password, unitId, committeeId: committee.id, role: input.role },
					admin.id
				);
				return {
					...done('add', 'admin.members.accountCreated', { name: account.displayName, username: account.username }),
					...(account.generatedPassword ? { password: account.generatedPassword } : {})
				};
			}
			if (input.username.trim() === '') return invalid('add', input, { username: { key: 'admin.members.usernameRequired' } });
			const user = await findUserByUsername(db, input.username);
			if (!user) return invalid('add', input, { username: { key: 'committee.userNotFound' } });
			await addMember(db, { committeeId: committee.id, userId: user.id, role: input.role, unitId, actorId: admin.id });
			return done('add', 'admin.members.added', { name: user.displayName });
		} catch (err) {
			return refused(err, 'add', input, MEMBER_ERRORS);
		}
	},
	change: async ({ params, locals, url, request }) => {
		const admin = requireAdmin(locals, url);
		const committee = await committeeOr404(params.id);
		const data = await request.formData();
		const userId = field(data, 'userId');
		const input = { role: field(data, 'role'), unitId: field(data, 'unitId') };
		const key = `change:${userId}`;
		try {
			const changed = await changeMemberRole(await getDb(), {
				committeeId: committee.id,
				userId,
				role: input.role,
				unitId: input.unitId === '' ? null : input.unitId,
				actorId: admin.id
			});
			return done(key, changed ? 'admin.members.changed' : 'admin.members.unchanged', { name: await memberName(committee.id, userId) });
		} catch (err) {
			return refused(err, key, input, MEMBER_ERRORS);
		}
	},
	remove: async ({ params, locals, url, request }) => {
		const admin = requireAdmin(locals, url);
		const committee = await committeeOr404(params.id);
		const userId = field(await request.formData(), 'userId');
		const name = await memberName(committee.id, userId);
		try {
			await removeMember(await getDb(), { committeeId: committee.id, userId, actorId: admin.id });
			return done('remove', 'admin.members.removed', { name });
		} catch (err) {
			return refused(err, `remove:${userId}`, {});
		}
	}
};
