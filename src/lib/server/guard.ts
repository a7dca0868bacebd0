import { error, redirect } from '@sveltejs/kit';
import type { SessionUser } from './auth/session';

/** Pages call this first: an anonymous visitor is sent to sign in and brought back after. */
export function requireUser(locals: App.Locals, url: URL): SessionUser {
	if (!locals.user) {
		const next = url.pathname + url.search;
		redirect(303, `/login?next=${encodeURIComponent(next)}`);
	}
	return locals.user;
}

export function requireAdmin(locals: App.Locals, url: URL): SessionUser {
	const user = requireUser(locals, url);
	if (!user.isAdmin) error(403, { message: 'forbidden', code: 'forbidden' });
	return user;
}

/** Only same-site relative paths may be used as a post-login destination. */
export function safeNext(next: string | null): string {
	if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
	return next;
}
