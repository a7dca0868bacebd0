import { error, fail } from '@sveltejs/kit';
import { parsePeriod } from '$lib/docs/bulletin';
import { quarterName } from '$lib/domain/bulletin';
import { recordNumberLabel } from '$lib/domain/record';
import { BulletinError, bulletinRecords, bulletinScope, freezeBulletin, getBulletin, mayManageBulletin, mayReadBulletin, refreshBulletin, reopenBulletin } from '$lib/server/bulletin';
import { getDb } from '$lib/server/db';
import { requireUser } from '$lib/server/guard';
import type { SessionUser } from '$lib/server/auth/session';
import type { Actions, PageServerLoad } from './$types';

async function find(user: SessionUser, params: { scope: string; period: string }) {
	const db = await getDb();
	const period = parsePeriod(params.period);
	const scope = period ? await bulletinScope(db, params.scope) : null;
	if (!period || !scope || !(await mayReadBulletin(db, user, scope))) error(404, { message: 'not-found', code: 'not_found' });
	const bulletin = await getBulletin(db, scope.id, period.year, period.quarter);
	if (!bulletin) error(404, { message: 'not-found', code: 'not_found' });
	return { db, scope, bulletin };
}

export const load: PageServerLoad = async ({ locals, url, params }) => {
	const user = requireUser(locals, url);
	const { db, scope, bulletin } = await find(user, params);
	const recordsOf = await bulletinRecords(db, bulletin.id);
	return {
		scope: { id: scope.id, name: scope.name, district: scope.district },
		bulletin: { id: bulletin.id, year: bulletin.year, quarter: bulletin.quarter, quarterName: quarterName(bulletin.quarter), state: bulletin.state, figuresAsOf: bulletin.figuresAsOf, docName: bulletin.docName },
		canManage: await mayManageBulletin(db, user, scope),
		records: recordsOf.map((r) => ({ id: r.id, version: r.version, label: recordNumberLabel(r.year, r.seq, 'bulletin') })),
		me: { id: user.id, name: user.displayName }
	};
};

async function run<T extends Record<string, unknown>>(locals: App.Locals, url: URL, params: { scope: string; period: string }, action: (user: SessionUser, bulletinId: string, form: FormData) => Promise<T>, request: Request) {
	const user = requireUser(locals, url);
	const { bulletin } = await find(user, params);
	try {
		return await action(user, bulletin.id, await request.formData());
	} catch (err) {
		// A refusal says so (403), as the meeting's lifecycle actions do; the rest are the request's own faults.
		if (err instanceof BulletinError) return fail(err.key === 'bulletin.error.notAllowed' ? 403 : 400, { error: err.key, params: err.params });
		throw err;
	}
}

export const actions: Actions = {
	refresh: ({ locals, url, params, request }) =>
		run(locals, url, params, async (user, id) => ({ refreshed: (await refreshBulletin(await getDb(), user, id)).figuresAsOf }), request),
	freeze: ({ locals, url, params, request }) => run(locals, url, params, async (user, id) => ({ frozen: (await freezeBulletin(await getDb(), user, id)).label }), request),
	reopen: ({ locals, url, params, request }) =>
		run(
			locals,
			url,
			params,
			async (user, id, form) => {
				await reopenBulletin(await getDb(), user, id, String(form.get('reason') ?? ''));
				return { reopened: true };
			},
			request
		)
};
