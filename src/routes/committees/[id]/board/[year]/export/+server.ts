import { error } from '@sveltejs/kit';
import { attachmentDisposition, boardSheetAccess, exportBoard, fileNamePart, XLSX_CONTENT_TYPE } from '$lib/server/boardSpreadsheet';
import { getDb } from '$lib/server/db';
import { requireUser } from '$lib/server/guard';
import type { RequestHandler } from './$types';

/** The three lists of a board year as one workbook; anyone who may read the board may take it away. */
export const GET: RequestHandler = async ({ params, locals, url }) => {
	const user = requireUser(locals, url);
	const db = await getDb();
	const board = await boardSheetAccess(db, user, params.id, params.year);
	if (!board) error(404, { message: 'not-found', code: 'not_found' });
	const body = await exportBoard(db, { committeeId: board.committee.id, year: board.year });
	return new Response(new Uint8Array(body), {
		headers: {
			'content-type': XLSX_CONTENT_TYPE,
			'content-disposition': attachmentDisposition(`board-${board.year}.xlsx`, `${fileNamePart(board.committee.name)}-${board.year}-三张清单.xlsx`),
			'cache-control': 'private, no-store'
		}
	});
};
