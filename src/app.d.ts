import type { SessionUser, ValidSession } from '$lib/server/auth/session';
import type { Locale } from '$lib/i18n';

declare global {
	namespace App {
		interface Locals {
			user: SessionUser | null;
			session: ValidSession | null;
			/** How the request was authenticated: the browser's cookie or an API bearer token. */
			authVia: 'cookie' | 'bearer' | null;
			locale: Locale;
		}
		interface Error {
			message: string;
			code?: string;
		}
	}
}

export {};
