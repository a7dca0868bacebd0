import { getDb } from '$lib/server/db';
import { unreadCount } from '$lib/server/notification';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = async ({ locals, depends }) => {
	// Invalidated by the header's once-a-minute poll and by reading notifications.
	depends('app:notifications');
	return {
		locale: locals.locale,
		user: locals.user ? { id: locals.user.id, username: locals.user.username, displayName: locals.user.displayName, isAdmin: locals.user.isAdmin } : null,
		unread: locals.user ? await unreadCount(await getDb(), locals.user.id) : 0
	};
};
