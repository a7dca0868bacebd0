import { json } from '@sveltejs/kit';
import { apiError, apiHandler, readJsonObject } from '$lib/server/api';
import { signIn } from '$lib/server/auth/login';
import { getDb } from '$lib/server/db';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = apiHandler(async ({ request, getClientAddress }) => {
	const body = await readJsonObject(request);
	const { username, password } = body;
	if (typeof username !== 'string' || typeof password !== 'string' || !username.trim() || !password) {
		return apiError(400, 'invalid_body', 'Send {"username": string, "password": string}.');
	}
	if (username.length > 100 || password.length > 256) return apiError(401, 'invalid_credentials', 'The username or password is not correct.');
	const result = await signIn(await getDb(), { username, password, address: getClientAddress() });
	if (!result.ok) {
		if (result.reason === 'throttled') {
			return apiError(429, 'too_many_attempts', `Too many failed sign-ins. Try again in ${result.retryAfterSeconds} seconds.`, {}, { 'Retry-After': String(result.retryAfterSeconds) });
		}
		return apiError(401, 'invalid_credentials', 'The username or password is not correct.');
	}
	return json({ token: result.token, expiresAt: result.expiresAt.toISOString() }, { status: 201 });
});
