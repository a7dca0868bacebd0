import { redirect } from '@sveltejs/kit';
import { isLocale, LOCALE_COOKIE } from '$lib/i18n';
import { getDb } from '$lib/server/db';
import { safeNext } from '$lib/server/guard';
import { setLocale } from '$lib/server/user';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = () => redirect(303, '/');

export const actions: Actions = {
	default: async ({ request, cookies, locals }) => {
		const form = await request.formData();
		const locale = form.get('locale');
		if (isLocale(locale)) {
			cookies.set(LOCALE_COOKIE, locale, { path: '/', httpOnly: false, sameSite: 'lax', maxAge: 60 * 60 * 24 * 365 });
			if (locals.user) await setLocale(await getDb(), locals.user.id, locale);
		}
		redirect(303, safeNext(String(form.get('next') ?? '/')));
	}
};
