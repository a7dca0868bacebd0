import { fail } from '@sveltejs/kit';
import { CSV_MAX_BYTES, decodeCsv, importMembers, importUnits, previewMembers, previewUnits, type CsvError } from '$lib/server/csvImport';
import { getDb } from '$lib/server/db';
import { requireAdmin } from '$lib/server/guard';
import { listDistricts } from '$lib/server/organisation';
import { formatSize } from '$lib/components/admin/format';
import { field } from '../forms';
import type { Actions, PageServerLoad } from './$types';

/*
 * CSV import in two steps. "preview" decodes the upload (any encoding Excel or WPS writes),
 * shows what every row will do and every problem with its line; the decoded text travels back
 * in a hidden field, and "import" validates it again and writes all rows or none.
 */

type Kind = 'units' | 'members';

function kindOf(data: FormData): Kind {
	return field(data, 'kind') === 'members' ? 'members' : 'units';
}

/** Errors as the page shows them: sizes in KB, not bytes. */
function view(errors: CsvError[]) {
	return errors.map((e) => {
		const params = e.params ?? {};
		const shown = e.key === 'csv.fileTooLarge' ? { ...params, size: formatSize(Number(params.size)), max: formatSize(Number(params.max)) } : params;
		return { line: e.line, column: e.column ?? null, key: e.key, params: shown };
	});
}

/** The uploaded file if one was chosen, otherwise the pasted text. */
async function content(data: FormData): Promise<{ text: string } | { error: CsvError } | null> {
	const file = data.get('file');
	if (file instanceof File && file.size > 0) {
		if (file.size > CSV_MAX_BYTES) return { error: { line: 0, key: 'csv.fileTooLarge', params: { size: file.size, max: CSV_MAX_BYTES } } };
		return { text: decodeCsv(new Uint8Array(await file.arrayBuffer())) };
	}
	const pasted = field(data, 'text');
	return pasted.trim() === '' ? null : { text: pasted };
}

export const load: PageServerLoad = async ({ locals, url }) => {
	requireAdmin(locals, url);
	const districts = await listDistricts(await getDb());
	return { districts: districts.map((d) => ({ id: d.id, name: d.name })), maxBytes: CSV_MAX_BYTES };
};

export const actions: Actions = {
	preview: async ({ locals, url, request }) => {
		requireAdmin(locals, url);
		const data = await request.formData();
		const kind = kindOf(data);
		const districtId = field(data, 'districtId');
		const source = await content(data);
		if (!source) return fail(400, { kind, stage: 'input' as const, message: 'admin.import.noInput' });
		if ('error' in source) return fail(400, { kind, stage: 'input' as const, errors: view([source.error]) });
		const db = await getDb();
		if (kind === 'units') {
			const preview = await previewUnits(db, source.text, { districtId: districtId || undefined });
			return { kind, stage: 'preview' as const, content: source.text, districtId, units: preview.rows, members: null, errors: view(preview.errors) };
		}
		const preview = await previewMembers(db, source.text);
		return { kind, stage: 'preview' as const, content: source.text, districtId, units: null, members: preview.rows, errors: view(preview.errors) };
	},
	import: async ({ locals, url, request }) => {
		const admin = requireAdmin(locals, url);
		const data = await request.formData();
		const kind = kindOf(data);
		const districtId = field(data, 'districtId');
		const text = field(data, 'content');
		if (text.trim() === '') return fail(400, { kind, stage: 'input' as const, message: 'admin.import.noInput' });
		const db = await getDb();
		if (kind === 'units') {
			const result = await importUnits(db, text, admin.id, { districtId: districtId || undefined });
			// The database changed since the preview: show why, with the file still loaded.
			if (!result.ok) return fail(400, { kind, stage: 'refused' as const, content: text, districtId, errors: view(result.errors) });
			return { kind, stage: 'done' as const, created: result.created, updated: result.updated, unchanged: result.unchanged, usersCreated: 0, passwords: [] };
		}
		const result = await importMembers(db, text, admin.id);
		if (!result.ok) return fail(400, { kind, stage: 'refused' as const, content: text, districtId, errors: view(result.errors) });
		return {
			kind,
			stage: 'done' as const,
			created: result.membershipsCreated,
			updated: result.membershipsUpdated,
			unchanged: result.unchanged,
			usersCreated: result.usersCreated,
			passwords: result.generatedPasswords
		};
	}
};
