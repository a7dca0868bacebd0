import { error, fail } from '@sveltejs/kit';
import type { SessionUser } from './auth/session';
import type { DbOrTx } from './db';
import { authorsBetween, captureVersion, currentState, diffVersions, LABEL_MAX, listVersions, readState, VersionError, versionState, type DocKind } from './docVersion';

/*
 * What the version history pages of every versioned document (a meeting's minutes and agenda,
 * a committee's yearly board) share: reading the history and the two form actions. Who may
 * read, save and restore, and how a restore is made, stay with each page.
 */

/** A version id from the query or a form (digits only), or null. */
export const versionIdOf = (raw: string | null): number | null => (raw && /^\d{1,15}$/.test(raw) ? Number(raw) : null);

function notFound(): never {
	error(404, { message: 'not-found', code: 'not_found' });
}

/** The document's versions, one of them read-only (?view=<id>), and the differences between two (?from=<id>&to=<id|current>). */
export async function loadVersionHistory(db: DbOrTx, name: string, kind: DocKind, query: URLSearchParams) {
	const versions = await listVersions(db, name);

	const viewId = versionIdOf(query.get('view'));
	let view: { id: number; content: ReturnType<typeof readState> } | null = null;
	if (viewId !== null) {
		const state = await versionState(db, name, viewId);
		if (!state) notFound();
		view = { id: viewId, content: readState(kind, state) };
	}

	const fromId = versionIdOf(query.get('from'));
	const toRaw = query.get('to');
	const toId = toRaw === 'current' ? null : versionIdOf(toRaw);
	let compare: { from: number; to: number | null; diff: ReturnType<typeof diffVersions>; authors: string[] } | null = null;
	if (fromId !== null && (toId !== null || toRaw === 'current')) {
		const from = await versionState(db, name, fromId);
		const to = toId === null ? await currentState(db, name) : await versionState(db, name, toId);
		if (!from || !to) notFound();
		// Authors of the versions after the older one, up to the newer one.
		const [older, newer] = toId !== null && toId < fromId ? [toId, fromId] : [fromId, toId];
		compare = { from: fromId, to: toId, diff: diffVersions(kind, from, to), authors: await authorsBetween(db, name, older, newer) };
	}

	return { versions: versions.map((v) => ({ ...v, createdAt: v.createdAt.toISOString() })), view, compare };
}

/** What loadVersionHistory gives the page (VersionHistory.svelte shows it). */
export type VersionHistoryData = Awaited<ReturnType<typeof loadVersionHistory>>;

/** What the save and restore actions answer, as VersionHistory.svelte reports it. */
export type VersionFormResult = { versionError: VersionError['key'] } | { saved: boolean } | { restored: number };

/** The save action, once the page has checked that the person may write: a manual version with their label. */
export async function saveManualVersion(db: DbOrTx, name: string, user: SessionUser, form: FormData) {
	const label = String(form.get('label') ?? '').trim().slice(0, LABEL_MAX);
	const result = await captureVersion(db, name, { reason: 'manual', label, createdBy: user.id });
	return { saved: result.created, versionId: result.id };
}

/** The restore action around the page's own restore: the version from the form, refusals as the form's error. */
export async function restoreFromForm(form: FormData, restore: (versionId: number) => Promise<{ id: number }>) {
	const versionId = versionIdOf(String(form.get('version') ?? ''));
	if (versionId === null) return fail(400, { versionError: 'version.notFound' as const });
	try {
		const result = await restore(versionId);
		return { restored: result.id };
	} catch (err) {
		if (err instanceof VersionError) return fail(err.key === 'version.notAllowed' ? 403 : err.key === 'version.notFound' ? 404 : 400, { versionError: err.key });
		throw err;
	}
}
