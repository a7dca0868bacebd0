import { ConfigError, config, type Config } from '../src/lib/server/config';
import { migratedDatabase, type Database } from '../src/lib/server/db';
import { ensureFirstAdmin } from '../src/lib/server/user';
import { bridgeConsole, createLogger } from '../src/lib/server/log';

/**
 * Everything that must happen before the first request: validated configuration, the one
 * database client of this process, migrations, the first admin, demo data.
 */
export async function prepare(): Promise<{ config: Config; database: Database }> {
	let c: Config;
	try {
		c = config();
	} catch (err) {
		if (err instanceof ConfigError) {
			console.error(`Configuration error — ${err.message}`);
			process.exit(2);
		}
		throw err;
	}
	if (c.logFormat === 'json') bridgeConsole(createLogger());
	const db = await migratedDatabase();
	const admin = await ensureFirstAdmin(db.db, c.adminPassword);
	if (admin.created) {
		console.log(
			admin.generatedPassword
				? `Created the first administrator: username "admin", password "${admin.generatedPassword}" (shown only this once).`
				: 'Created the first administrator "admin" with the password from ADMIN_PASSWORD.'
		);
	}
	if (c.seed === 'demo') {
		const { seedDemo } = await import('../src/lib/server/seed');
		const demo = await seedDemo(db.db);
		if (demo) {
			// Separate from the district's transaction: it finalizes minutes through the real lifecycle.
			const { seedTracking } = await import('../src/lib/server/seedTracking');
			await seedTracking(db.db);
			console.log(`Demo data: a fictional district. Demo accounts (password "${demo.password}"):`);
			for (const a of demo.accounts) console.log(`  ${a.username.padEnd(10)} ${a.displayName} — ${a.role}, ${a.committee}`);
		}
	}
	return { config: c, database: db };
}
