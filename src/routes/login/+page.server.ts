import { fail, redirect } from '@sveltejs/kit';
import { signIn } from '$lib/server/auth/login';
import { setSessionCookie } from '$lib/server/auth/cookie';
import { getDb } from '$lib/server/db';
import { safeNext } from '$lib/server/guard';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, url }) => {
	if (locals.user) redirect(303, safeNext(url.searchParams.get('next')));
	return { signedOut: url.searchParams.has('signedOut') };
};

export const actions: Actions = {
	default: async ({ request, cookies, getClientAddress, url }) => {
		const form = await request.formData();
		const username = String(form.get('username') ?? '').trim();
		const password = String(form.get('password') ?? '');
		if (!username || !password) return fail(400, { username, error: 'login.missing' as const });
		if (username.length > 100 || password.length > 256) return fail(400, { username: '', error: 'login.invalid' as const });
		const result = await signIn(await getDb(), { username, password, address: getClientAddress() });
		if (!result.ok) {
			if (result.reason === 'throttled') {
				return fail(429, { username, error: 'login.throttled' as const, minutes: Math.max(1, Math.ceil(result.retryAfterSeconds / 60)) });
			}
			return fail(401, { username, error: 'login.invalid' as const });
		}
		setSessionCookie(cookies, result.token, result.expiresAt);
		redirect(303, safeNext(url.searchParams.get('next')));
	}
};
