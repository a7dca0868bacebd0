/**
 * Restores a backup of the embedded database into a new, empty data directory:
 *
 *   npm run restore -- gongjian-backup-….tar.gz ./data-restored
 *
 * then start the server on it: DATA_DIR=./data-restored npm start
 */
import fs from 'node:fs';
import { restoreEmbedded, RestoreError } from '../src/lib/server/backup';

const [file, dataDir] = process.argv.slice(2);
if (!file || !dataDir) {
	console.error('usage: npm run restore -- <backup.tar.gz> <new DATA_DIR>');
	process.exit(2);
}
try {
	await restoreEmbedded(new Uint8Array(fs.readFileSync(file)), dataDir);
	console.log(`Restored ${file} into ${dataDir}. Start the server with DATA_DIR=${dataDir} npm start`);
} catch (err) {
	if (err instanceof RestoreError) {
		console.error(err.message);
		process.exit(1);
	}
	throw err;
}
