import { getDb } from '$lib/server/db';
import { requireUser } from '$lib/server/guard';
import { listNotifications, markAllRead } from '$lib/server/notification';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url, depends }) => {
	const user = requireUser(locals, url);
	// The header's unread poll invalidates this too, so a new notification shows up here as well.
	depends('app:notifications');
	const page = Number(url.searchParams.get('page') ?? '1');
	const inbox = await listNotifications(await getDb(), user.id, Number.isFinite(page) ? page : 1);
	return { ...inbox, items: inbox.items.map((n) => ({ ...n, createdAt: n.createdAt.toISOString() })) };
};

export const actions: Actions = {
	readAll: async ({ locals, url }) => {
		const user = requireUser(locals, url);
		return { markedAll: await markAllRead(await getDb(), user.id) };
	}
};
