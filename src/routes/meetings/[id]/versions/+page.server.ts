import { error, fail } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import {
	authorsBetween,
	canRestore,
	captureVersion,
	currentState,
	diffVersions,
	LABEL_MAX,
	listVersions,
	readState,
	restoreVersion,
	VersionError,
	versionState
} from '$lib/server/docVersion';
import { requireUser } from '$lib/server/guard';
import { getMeeting } from '$lib/server/meeting';
import { isVersionedDoc, versionAccess, type VersionedDoc } from './access.server';
import type { Actions, PageServerLoad } from './$types';

const docOf = (url: URL): VersionedDoc => {
	const doc = url.searchParams.get('doc');
	return isVersionedDoc(doc) ? doc : 'minutes';
};
const idOf = (raw: string | null): number | null => (raw && /^\d{1,15}$/.test(raw) ? Number(raw) : null);

export const load: PageServerLoad = async ({ params, locals, url }) => {
	const user = requireUser(locals, url);
	const db = await getDb();
	const meeting = await getMeeting(db, params.id);
	if (!meeting) error(404, { message: 'not-found', code: 'not_found' });
	const doc = docOf(url);
	const { name, canWrite } = await versionAccess(db, user, meeting.id, doc);
	const kind = doc;
	const versions = await listVersions(db, name);

	// ?view=<id>: one version read-only.
	const viewId = idOf(url.searchParams.get('view'));
	let view: { id: number; content: ReturnType<typeof readState> } | null = null;
	if (viewId !== null) {
		const state = await versionState(db, name, viewId);
		if (!state) error(404, { message: 'not-found', code: 'not_found' });
		view = { id: viewId, content: readState(kind, state) };
	}

	// ?from=<id>&to=<id|current>: the differences between two versions.
	const fromId = idOf(url.searchParams.get('from'));
	const toRaw = url.searchParams.get('to');
	const toId = toRaw === 'current' ? null : idOf(toRaw);
	let compare: { from: number; to: number | null; diff: ReturnType<typeof diffVersions>; authors: string[] } | null = null;
	if (fromId !== null && (toId !== null || toRaw === 'current')) {
		const from = await versionState(db, name, fromId);
		const to = toId === null ? await currentState(db, name) : await versionState(db, name, toId);
		if (!from || !to) error(404, { message: 'not-found', code: 'not_found' });
		// Authors of the versions after the older one, up to the newer one.
		const [older, newer] = toId !== null && toId < fromId ? [toId, fromId] : [fromId, toId];
		compare = { from: fromId, to: toId, diff: diffVersions(kind, from, to), authors: await authorsBetween(db, name, older, newer) };
	}

	return {
		meeting: { id: meeting.id, title: meeting.title, state: meeting.state },
		doc,
		versions: versions.map((v) => ({ ...v, createdAt: v.createdAt.toISOString() })),
		view,
		compare,
		canSave: canWrite && meeting.state !== 'finalized',
		canRestore: await canRestore(db, meeting.id, user)
	};
};

export const actions: Actions = {
	save: async ({ params, locals, url, request }) => {
		const user = requireUser(locals, url);
		const db = await getDb();
		const form = await request.formData();
		const doc = docOf(url);
		const { name, canWrite } = await versionAccess(db, user, params.id, doc);
		if (!canWrite) return fail(403, { versionError: 'version.notAllowed' as const });
		const label = String(form.get('label') ?? '').trim().slice(0, LABEL_MAX);
		const result = await captureVersion(db, name, { reason: 'manual', label, createdBy: user.id });
		return { saved: result.created, versionId: result.id };
	},
	restore: async ({ params, locals, url, request }) => {
		const user = requireUser(locals, url);
		const db = await getDb();
		const form = await request.formData();
		const doc = docOf(url);
		await versionAccess(db, user, params.id, doc);
		const versionId = idOf(String(form.get('version') ?? ''));
		if (versionId === null) return fail(400, { versionError: 'version.notFound' as const });
		try {
			const result = await restoreVersion(db, { meetingId: params.id, doc, versionId, actor: user });
			return { restored: result.id };
		} catch (err) {
			if (err instanceof VersionError) return fail(err.key === 'version.notAllowed' ? 403 : err.key === 'version.notFound' ? 404 : 400, { versionError: err.key });
			throw err;
		}
	}
};
