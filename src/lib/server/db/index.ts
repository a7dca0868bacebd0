import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import * as schema from './schema';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction handle; the same query API as Db. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

export interface Database {
	kind: 'pglite' | 'postgres';
	db: Db;
	/** Applies committed migrations; several instances may call it at once. */
	migrate(): Promise<void>;
	/** Cheap round trip, for /healthz. */
	ping(): Promise<void>;
	/**
	 * Calls `onPayload` for every NOTIFY on `channel` (from this process or, on PostgreSQL,
	 * any other instance). Resolves once listening; the returned function stops it.
	 */
	listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
	/**
	 * A consistent copy of the embedded database as a gzipped tar (PGlite's data directory),
	 * taken while it runs; null on PostgreSQL, which is backed up with pg_dump.
	 */
	backup(): Promise<Uint8Array | null>;
	close(): Promise<void>;
}

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

export interface DatabaseOptions {
	databaseUrl: string | null;
	dataDir: string;
}

// Any number that is stable and unlikely to collide with other applications' advisory locks.
const MIGRATION_LOCK = 7_315_402_118;

function migrationsFolder(): string {
	return path.resolve(process.env.MIGRATIONS_DIR ?? 'migrations');
}

async function openPostgres(url: string): Promise<Database> {
	const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000 });
	// An idle client that loses its server emits 'error' on the pool; without a listener
	// that would crash the process during a database outage.
	pool.on('error', (err) => console.error('[db] idle PostgreSQL client error:', err.message));
	const db = drizzlePg(pool, { schema }) as unknown as Db;
	const listeners = new Set<() => Promise<void>>();
	return {
		kind: 'postgres',
		db,
		async migrate() {
			const client = await pool.connect();
			try {
				await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
				try {
					await migratePg(drizzlePg(client, { schema }), { migrationsFolder: migrationsFolder() });
				} finally {
					await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
				}
			} finally {
				client.release();
			}
		},
		async ping() {
			await pool.query('select 1');
		},
		async listen(channel, onPayload) {
			const stop = await listenPostgres(url, channel, onPayload);
			listeners.add(stop);
			return async () => {
				listeners.delete(stop);
				await stop();
			};
		},
		async backup() {
			return null;
		},
		async close() {
			// LISTEN connections are outside the pool; left open they would keep the process alive.
			await Promise.all([...listeners].map((stop) => stop()));
			listeners.clear();
			await pool.end();
		}
	};
}

/**
 * A dedicated connection for LISTEN (a pooled one would be handed to queries). When it drops
 * (a restart, a network blip) it reconnects with backoff and listens again; notifications sent
 * while it was away are lost, which is why listeners treat one as "something changed, reload"
 * and never as the change itself.
 */
async function listenPostgres(url: string, channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>> {
	if (!CHANNEL.test(channel)) throw new Error(`not a channel name: ${channel}`);
	let stopped = false;
	let client: pg.Client | null = null;
	let retry: NodeJS.Timeout | null = null;
	let delay = 500;
	const open = async (): Promise<void> => {
		const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
		c.on('notification', (n) => {
			if (n.channel === channel) onPayload(n.payload ?? '');
		});
		c.on('error', (err) => {
			console.error(`[db] LISTEN ${channel} connection lost:`, err.message);
			reconnect(c);
		});
		c.on('end', () => reconnect(c));
		await c.connect();
		await c.query(`listen ${channel}`);
		client = c;
		delay = 500;
	};
	const reconnect = (lost: pg.Client) => {
		if (stopped || retry || (client !== null && client !== lost)) return;
		client = null;
		retry = setTimeout(() => {
			retry = null;
			open()
				// Anything may have changed while nobody listened.
				.then(() => onPayload(''))
				.catch((err: Error) => {
					console.error(`[db] LISTEN ${channel} reconnect failed:`, err.message);
					delay = Math.min(delay * 2, 30_000);
					reconnect(lost);
				});
		}, delay);
		retry.unref();
	};
	await open();
	return async () => {
		stopped = true;
		if (retry) clearTimeout(retry);
		const c = client;
		client = null;
		await c?.end().catch((err: Error) => console.error(`[db] closing LISTEN ${channel}:`, err.message));
	};
}

/** DATA_DIR value that keeps the embedded database in memory (tests). */
export const IN_MEMORY = 'memory://';

async function openPglite(dataDir: string): Promise<Database> {
	let client: PGlite;
	if (dataDir === IN_MEMORY) {
		client = await PGlite.create();
	} else {
		fs.mkdirSync(dataDir, { recursive: true });
		client = await PGlite.create(path.join(dataDir, 'pglite'));
	}
	const db = drizzlePglite(client, { schema }) as unknown as Db;
	let closed = false;
	return {
		kind: 'pglite',
		db,
		async migrate() {
			// PGlite is one connection in one process: nothing else can race the migrator.
			await migratePglite(drizzlePglite(client, { schema }), { migrationsFolder: migrationsFolder() });
		},
		async ping() {
			await client.query('select 1');
		},
		async listen(channel, onPayload) {
			if (!CHANNEL.test(channel)) throw new Error(`not a channel name: ${channel}`);
			const stop = await client.listen(channel, onPayload);
			return async () => {
				if (!closed) await stop();
			};
		},
		async backup() {
			// dumpDataDir runs inside PGlite's query mutex: no write is half in the copy.
			const archive = await client.dumpDataDir('gzip');
			return new Uint8Array(await archive.arrayBuffer());
		},
		async close() {
			if (closed) return;
			closed = true;
			await client.close();
		}
	};
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
	return options.databaseUrl ? openPostgres(options.databaseUrl) : openPglite(options.dataDir);
}

/*
 * Exactly one database client per process. In production the SvelteKit bundle and the
 * collaboration server are separate module graphs, and in dev Vite may evaluate this module
 * more than once; a module-level variable would give each its own client, which PGlite
 * (one process, one connection) cannot survive. globalThis is shared by all of them.
 */
const KEY = Symbol.for('gongjian.database');
type Holder = { promise: Promise<Database> | null; instance: Database | null; migrated: Promise<Database> | null };
function holder(): Holder {
	const g = globalThis as unknown as Record<symbol, Holder | undefined>;
	let h = g[KEY];
	if (!h) {
		h = { promise: null, instance: null, migrated: null };
		g[KEY] = h;
	}
	return h;
}

/** Installs the process-wide database (done once by the process entry). */
export function setDatabase(database: Database): void {
	const h = holder();
	h.instance = database;
	h.promise = Promise.resolve(database);
}

export function clearDatabase(): void {
	const h = holder();
	h.instance = null;
	h.promise = null;
	h.migrated = null;
}

/** The process-wide database, migrated exactly once per process. */
export function migratedDatabase(): Promise<Database> {
	const h = holder();
	h.migrated ??= database().then(async (d) => {
		await d.migrate();
		return d;
	});
	h.migrated.catch(() => {
		// Let a later call try again (e.g. the database was still starting).
		h.migrated = null;
	});
	return h.migrated;
}

/** The process-wide database, opened from the configuration on first use. */
export async function database(): Promise<Database> {
	const h = holder();
	if (h.instance) return h.instance;
	if (!h.promise) {
		const { config } = await import('../config');
		const c = config();
		h.promise = openDatabase({ databaseUrl: c.databaseUrl, dataDir: c.dataDir }).then((d) => {
			h.instance = d;
			return d;
		});
	}
	return h.promise;
}

/** Shorthand for the drizzle handle of the process-wide database. */
export async function getDb(): Promise<Db> {
	return (await database()).db;
}

export { sql };
