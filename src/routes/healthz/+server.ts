import { json } from '@sveltejs/kit';
import { database } from '$lib/server/db';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async () => {
	try {
		const db = await database();
		await db.ping();
		return json({ status: 'ok', database: db.kind });
	} catch (err) {
		console.error('[healthz] database unreachable:', (err as Error).message);
		return json({ status: 'unavailable', error: 'database unreachable' }, { status: 503 });
	}
};
