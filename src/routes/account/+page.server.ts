import { fail } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { requireUser } from '$lib/server/guard';
import { changePassword, UserError } from '$lib/server/user';
import { EMAIL_MODES, emailSettings, setEmailSettings } from '$lib/server/notification';
import { config } from '$lib/server/config';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	const user = requireUser(locals, url);
	return {
		username: user.username,
		displayName: user.displayName,
		email: await emailSettings(await getDb(), user.id),
		emailModes: EMAIL_MODES,
		mailEnabled: config().mail !== null
	};
};

export const actions: Actions = {
	password: async ({ request, locals, url }) => {
		const user = requireUser(locals, url);
		const form = await request.formData();
		const current = String(form.get('current') ?? '');
		const next = String(form.get('next') ?? '');
		if (next !== String(form.get('confirm') ?? '')) return fail(400, { error: 'account.passwordMismatch' as const });
		try {
			await changePassword(await getDb(), { userId: user.id, currentSessionId: locals.session?.id ?? null, current, next });
		} catch (err) {
			if (err instanceof UserError) return fail(400, { error: err.key });
			throw err;
		}
		return { changed: true };
	},
	email: async ({ request, locals, url }) => {
		const user = requireUser(locals, url);
		const form = await request.formData();
		const email = String(form.get('email') ?? '');
		const problem = await setEmailSettings(await getDb(), user.id, { email, mode: String(form.get('mode') ?? '') });
		if (problem) return fail(400, { emailError: problem, email });
		return { emailSaved: true };
	}
};
