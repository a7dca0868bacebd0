import { error, fail } from '@sveltejs/kit';
import { formatSize } from '$lib/components/admin/format';
import {
	boardSheetAccess,
	importNeeds,
	importResources,
	previewNeeds,
	previewResources,
	type BoardSheetAccess,
	type BoardSheetError,
	type BoardSheetKind
} from '$lib/server/boardSpreadsheet';
import { memberUnits } from '$lib/server/committee';
import { CSV_MAX_BYTES } from '$lib/server/csvImport';
import { getDb } from '$lib/server/db';
import { requireUser } from '$lib/server/guard';
import type { Actions, PageServerLoad } from './$types';

/*
 * Spreadsheet import into a board in two steps. "preview" reads the upload and shows what each
 * row becomes and every problem with its row; the file itself travels back as base64 in a
 * hidden field (≤ 1 MiB, well inside the body limit), and "import" checks it again and adds
 * all rows or none. Nothing is kept on the server between the two steps.
 */

/** A phone cannot show thousands of rows usefully; the counts say the rest. */
const PREVIEW_ROWS_SHOWN = 100;
/** Base64 of CSV_MAX_BYTES, so an oversized hidden field is refused before it is decoded. */
const BASE64_MAX = Math.ceil(CSV_MAX_BYTES / 3) * 4;

const kindOf = (data: FormData): BoardSheetKind => (data.get('kind') === 'resources' ? 'resources' : 'needs');
const text = (data: FormData, name: string): string => {
	const value = data.get(name);
	return typeof value === 'string' ? value : '';
};

/** Errors as the page shows them: sizes in KB, not bytes. */
function view(errors: BoardSheetError[]) {
	return errors.map((e) => {
		const params = e.params ?? {};
		const shown = e.key === 'csv.fileTooLarge' ? { ...params, size: formatSize(Number(params.size)), max: formatSize(Number(params.max)) } : params;
		return { line: e.line, column: e.column ?? null, key: e.key, params: shown };
	});
}

type BoardEvent = { locals: App.Locals; url: URL; params: { id: string; year: string } };

async function board(event: BoardEvent): Promise<BoardSheetAccess> {
	const user = requireUser(event.locals, event.url);
	const found = await boardSheetAccess(await getDb(), user, event.params.id, event.params.year);
	if (!found) error(404, { message: 'not-found', code: 'not_found' });
	return found;
}

async function writableBoard(event: BoardEvent): Promise<BoardSheetAccess> {
	const found = await board(event);
	if (!found.canWrite) error(403, { message: 'forbidden', code: 'forbidden' });
	return found;
}

export const load: PageServerLoad = async (event) => {
	const found = await board(event);
	const ownUnitId = found.who.role === 'part_time' ? found.who.unitId : null;
	const ownUnit = ownUnitId ? ((await memberUnits(await getDb(), found.committee.id)).find((u) => u.id === ownUnitId)?.name ?? null) : null;
	return { committee: found.committee, year: found.year, canWrite: found.canWrite, ownUnit, maxBytes: CSV_MAX_BYTES };
};

function summary<R extends { onBoard: boolean }>(rows: R[]) {
	return { shownRows: rows.slice(0, PREVIEW_ROWS_SHOWN), total: rows.length, onBoard: rows.filter((r) => r.onBoard).length };
}

export const actions: Actions = {
	preview: async (event) => {
		const found = await writableBoard(event);
		const data = await event.request.formData();
		const kind = kindOf(data);
		const file = data.get('file');
		if (!(file instanceof File) || file.size === 0) return fail(400, { kind, stage: 'input' as const, message: 'boardSheet.noFile', errors: [] });
		if (file.size > CSV_MAX_BYTES) {
			return fail(400, { kind, stage: 'input' as const, message: null, errors: view([{ line: 0, key: 'csv.fileTooLarge', params: { size: file.size, max: CSV_MAX_BYTES } }]) });
		}
		const bytes = new Uint8Array(await file.arrayBuffer());
		const ref = { committeeId: found.committee.id, year: found.year };
		const db = await getDb();
		// The file goes back to the page only when it can be imported: phones on weak networks pay for every byte.
		const content = (errors: unknown[]) => (errors.length === 0 ? Buffer.from(bytes).toString('base64') : '');
		const base = { kind, stage: 'preview' as const, filename: file.name };
		if (kind === 'needs') {
			const preview = await previewNeeds(db, ref, bytes, file.name, found.who);
			const { shownRows, ...counts } = summary(preview.rows);
			return { ...base, content: content(preview.errors), needs: shownRows, resources: null, ...counts, errors: view(preview.errors) };
		}
		const preview = await previewResources(db, ref, bytes, file.name, found.who);
		const { shownRows, ...counts } = summary(preview.rows);
		return { ...base, content: content(preview.errors), needs: null, resources: shownRows, ...counts, errors: view(preview.errors) };
	},
	import: async (event) => {
		const found = await writableBoard(event);
		const data = await event.request.formData();
		const kind = kindOf(data);
		const filename = text(data, 'filename');
		const content = text(data, 'content');
		if (content === '') return fail(400, { kind, stage: 'input' as const, message: 'boardSheet.noFile', errors: [] });
		if (content.length > BASE64_MAX) {
			return fail(400, { kind, stage: 'input' as const, message: null, errors: view([{ line: 0, key: 'csv.fileTooLarge', params: { size: Math.floor((content.length * 3) / 4), max: CSV_MAX_BYTES } }]) });
		}
		const bytes = new Uint8Array(Buffer.from(content, 'base64'));
		const ref = { committeeId: found.committee.id, year: found.year };
		const db = await getDb();
		const result = kind === 'needs' ? await importNeeds(db, ref, bytes, filename, found.who) : await importResources(db, ref, bytes, filename, found.who);
		// Something changed since the preview (a unit left the committee): say why, with the file still loaded.
		if (!result.ok) {
			return fail(400, { kind, stage: 'refused' as const, filename, content, needs: null, resources: null, total: 0, onBoard: 0, errors: view(result.errors) });
		}
		return { kind, stage: 'done' as const, added: result.added };
	}
};
