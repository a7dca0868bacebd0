import { error, redirect } from '@sveltejs/kit';
import type { SessionUser } from './auth/session';

/*
 * How a refusal is answered, everywhere (pages, form actions, the API):
 * - signed out: pages and form actions redirect to sign-in, the API answers 401;
 * - signed in, but the resource belongs to a committee the person has no seat in (and they are
 *   no administrator): 404, the same answer as for an id that does not exist, so that a refusal
 *   never confirms that another committee's meeting, record, project or opinion is real
 *   (visibility.ts: visibleCommittee, visibleMeeting);
 * - signed in and able to see the resource, but not allowed this change (a member trying a
 *   convener's action, an observer giving an opinion): 403.
 */

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
