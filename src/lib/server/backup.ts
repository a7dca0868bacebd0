import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';

/*
 * Backup and restore of the embedded database. A backup is PGlite's data directory as a gzipped
 * tar, taken from the running server (GET /admin/backup); restoring unpacks it into a new,
 * empty DATA_DIR, which the server then starts on. PostgreSQL is backed up with pg_dump.
 */

export class RestoreError extends Error {}

/** Unpacks a backup into `dataDir`, which must not hold a database yet; checks that it opens. */
export async function restoreEmbedded(archive: Uint8Array, dataDir: string): Promise<void> {
	const target = path.join(dataDir, 'pglite');
	if (fs.existsSync(target) && fs.readdirSync(target).length > 0) {
		throw new RestoreError(`${target} already holds a database: restore into a new, empty DATA_DIR`);
	}
	fs.mkdirSync(dataDir, { recursive: true });
	// Copied into a buffer of its own: a Blob over a view of a larger buffer would carry the rest.
	const blob = new Blob([new Uint8Array(archive)], { type: 'application/x-gzip' });
	let client: PGlite | null = null;
	try {
		client = await PGlite.create(target, { loadDataDir: blob });
		await client.query('select 1');
	} catch (err) {
		throw new RestoreError(`the backup could not be restored: ${(err as Error).message}`);
	} finally {
		await client?.close();
	}
}

/** backup-2026-11-28T08-30-00.tar.gz */
export function backupFileName(now = new Date()): string {
	return `gongjian-backup-${now.toISOString().slice(0, 19).replace(/:/g, '-')}.tar.gz`;
}
