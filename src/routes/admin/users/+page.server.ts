import { getDb } from '$lib/server/db';
import { requireAdmin } from '$lib/server/guard';
import { createAccount, listUsers, resetPassword } from '$lib/server/userAdmin';
import { done, field, pageParam, refused } from '../forms';
import type { Actions, PageServerLoad } from './$types';

const ACCOUNT_ERRORS: Record<string, string> = {
	'user.badUsername': 'username',
	'user.usernameTaken': 'username',
	'userAdmin.displayNameRequired': 'displayName',
	'userAdmin.displayNameTooLong': 'displayName',
	'password.tooShort': 'password',
	'password.tooLong': 'password'
};

export const load: PageServerLoad = async ({ locals, url }) => {
	const admin = requireAdmin(locals, url);
	const q = (url.searchParams.get('q') ?? '').trim();
	const users = await listUsers(await getDb(), { query: q, page: pageParam(url) });
	return {
		me: admin.id,
		q,
		users: users.items.map((u) => ({ id: u.id, username: u.username, displayName: u.displayName, isAdmin: u.isAdmin, unitName: u.unitName, seats: u.seatCount })),
		page: users.page,
		pages: users.pages,
		total: users.total
	};
};

export const actions: Actions = {
	create: async ({ locals, url, request }) => {
		const admin = requireAdmin(locals, url);
		const data = await request.formData();
		// The password is not echoed back into the form on a refusal.
		const input = { username: field(data, 'username'), displayName: field(data, 'displayName'), isAdmin: field(data, 'isAdmin') === 'on' ? 'on' : '' };
		const password = field(data, 'password');
		try {
			const account = await createAccount(
				await getDb(),
				{ username: input.username, displayName: input.displayName, password: password === '' ? null : password, isAdmin: input.isAdmin === 'on' },
				admin.id
			);
			return {
				...done('create', 'admin.users.created', { username: account.username, name: account.displayName }),
				...(account.generatedPassword ? { password: account.generatedPassword } : {})
			};
		} catch (err) {
			return refused(err, 'create', input, ACCOUNT_ERRORS);
		}
	},
	reset: async ({ locals, url, request }) => {
		const admin = requireAdmin(locals, url);
		const userId = field(await request.formData(), 'userId');
		try {
			const reset = await resetPassword(await getDb(), userId, admin.id);
			return { ...done(`reset:${userId}`, 'admin.users.passwordReset', { username: reset.username, name: reset.displayName }), password: reset.password };
		} catch (err) {
			return refused(err, `reset:${userId}`, {});
		}
	}
};
