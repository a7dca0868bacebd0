import type { Handle, HandleServerError } from '@sveltejs/kit';
import { DEFAULT_LOCALE, isLocale, LOCALE_COOKIE } from '$lib/i18n';
import { SESSION_COOKIE, validateSessionToken } from '$lib/server/auth/session';
import { clearSessionCookie, setSessionCookie } from '$lib/server/auth/cookie';
import { migratedDatabase } from '$lib/server/db';

/** Resolves the session once per request into locals; the routes never parse cookies. */
export const handle: Handle = async ({ event, resolve }) => {
	event.locals.user = null;
	event.locals.session = null;
	event.locals.authVia = null;

	const isApi = event.url.pathname.startsWith('/api/');
	const needsSession = event.url.pathname !== '/healthz';
	if (needsSession) {
		const db = (await migratedDatabase()).db;
		const bearer = isApi ? event.request.headers.get('authorization')?.match(/^Bearer\s+(\S+)$/i)?.[1] : undefined;
		const cookieToken = event.cookies.get(SESSION_COOKIE);
		const token = bearer ?? cookieToken;
		if (token) {
			const result = await validateSessionToken(db, token);
			if (result) {
				event.locals.user = result.user;
				event.locals.session = result.session;
				event.locals.authVia = bearer ? 'bearer' : 'cookie';
				if (!bearer && result.session.refreshed) setSessionCookie(event.cookies, token, result.session.expiresAt);
			} else if (!bearer && cookieToken) {
				clearSessionCookie(event.cookies);
			}
		}
	}

	const cookieLocale = event.cookies.get(LOCALE_COOKIE);
	const userLocale = event.locals.user?.locale;
	event.locals.locale = isLocale(cookieLocale) ? cookieLocale : isLocale(userLocale) ? userLocale : DEFAULT_LOCALE;

	return resolve(event, {
		transformPageChunk: ({ html }) => html.replace('%lang%', event.locals.locale)
	});
};

export const handleError: HandleServerError = ({ error, event, status }) => {
	if (status !== 404) console.error(`[http] ${event.request.method} ${event.url.pathname} failed:`, error);
	return { message: status === 404 ? 'not-found' : 'internal-error', code: status === 404 ? 'not_found' : 'internal' };
};
