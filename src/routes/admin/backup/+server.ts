import { error } from '@sveltejs/kit';
import { recordAudit } from '$lib/server/audit';
import { backupFileName } from '$lib/server/backup';
import { database } from '$lib/server/db';
import { requireAdmin } from '$lib/server/guard';
import type { RequestHandler } from './$types';

/** A copy of the embedded database, taken while the server runs (administrators only). */
export const GET: RequestHandler = async ({ locals, url }) => {
	const user = requireAdmin(locals, url);
	const db = await database();
	const archive = await db.backup();
	if (!archive) error(400, { message: 'backup-postgres', code: 'backup_postgres' });
	await recordAudit(db.db, { actorId: user.id, action: 'database.backup', subject: 'database', details: { bytes: archive.byteLength } });
	const name = backupFileName();
	return new Response(new Uint8Array(archive), {
		headers: { 'content-type': 'application/gzip', 'content-disposition': `attachment; filename="${name}"`, 'cache-control': 'no-store' }
	});
};
