import { error } from '@sveltejs/kit';
import { attachmentDisposition, BOARD_SHEET_KINDS, boardSheetAccess, templateFor, XLSX_CONTENT_TYPE, type BoardSheetKind } from '$lib/server/boardSpreadsheet';
import { getDb } from '$lib/server/db';
import { requireUser } from '$lib/server/guard';
import { needCategoriesOfCommittee } from '$lib/server/needCategory';
import type { RequestHandler } from './$types';

const FILE_NAMES: Record<BoardSheetKind, { ascii: string; zh: string }> = {
	needs: { ascii: 'needs-template.xlsx', zh: '需求清单导入模板.xlsx' },
	resources: { ascii: 'resources-template.xlsx', zh: '资源清单导入模板.xlsx' }
};

const isKind = (kind: string): kind is BoardSheetKind => (BOARD_SHEET_KINDS as readonly string[]).includes(kind);

export const GET: RequestHandler = async ({ params, locals, url }) => {
	const user = requireUser(locals, url);
	if (!isKind(params.kind)) error(404, { message: 'not-found', code: 'not_found' });
	// The link lives under a board: the same 404 as the board's, and the district's categories.
	const db = await getDb();
	const board = await boardSheetAccess(db, user, params.id, params.year);
	if (!board) error(404, { message: 'not-found', code: 'not_found' });
	const name = FILE_NAMES[params.kind];
	return new Response(new Uint8Array(await templateFor(params.kind, await needCategoriesOfCommittee(db, params.id))), {
		headers: {
			'content-type': XLSX_CONTENT_TYPE,
			'content-disposition': attachmentDisposition(name.ascii, name.zh),
			'cache-control': 'private, no-store'
		}
	});
};
