import { Hocuspocus } from '@hocuspocus/server';
import type { Database } from '../../src/lib/server/db';
import type { Config } from '../../src/lib/server/config';
import { DocStore } from '../../src/lib/server/docStore';
import { Refusal, type CollabContext } from './context';
import { CLOSE_REASONS } from '../../src/lib/docs/closeReasons';
import { Auth } from './extensions/auth';
import { UnloadGuard } from './extensions/unloadGuard';
import { Persistence } from './extensions/persistence';
import { Presence } from './extensions/presence';
import { Lifecycle } from './extensions/lifecycle';
import { MinutesTemplate } from './extensions/template';
import { BoardRules } from './extensions/boardRules';
import { Projection } from './extensions/projection';
import { Versions } from './extensions/versions';
import { createMetrics, type CollabMetrics } from './metrics';
import { registerCollabControl, type CollabControl } from '../../src/lib/server/collabControl';
import { createUpgradeHandler } from './upgrade';
import { startControlBus } from './controlBus';
import { createRelay, type Relay } from './extensions/relay';

export interface CollaborationOptions {
	database: Database;
	origin: string | null;
	/** Milliseconds of quiet before a document's log is compacted into its snapshot. */
	compactAfterMs?: number;
	/** The document store; tests pass one that fails on purpose. */
	docStore?: DocStore;
	/** How long a failing append is retried before the client is disconnected to resync later. */
	appendGiveUpMs?: number;
	/** How long an unused shadow is kept (persistence; tests shorten it). */
	shadowIdleMs?: number;
	/** Minutes of activity between automatic versions of a document (VERSION_EVERY_MINUTES, default 10). */
	versionEveryMinutes?: number;
	/** Whether record lifecycle code in this process should reach this server (default true). */
	registerControl?: boolean;
	/** REDIS_URL: relay live document changes to the other instances serving the same database. */
	redisUrl?: string | null;
}

export interface Collaboration {
	hocuspocus: Hocuspocus<CollabContext>;
	control: CollabControl;
	metrics: CollabMetrics;
	/** The update log's extension (tests look at its shadows). */
	persistence: Persistence;
	handleUpgrade: ReturnType<typeof createUpgradeHandler>['handle'];
	/** Closes every connection, waits for every pending write, unloads documents. */
	shutdown(): Promise<void>;
}

/** What the process configuration says about the collaboration server (production entry and dev server alike). */
export function collaborationFromConfig(config: Config, database: Database): Collaboration {
	return createCollaboration({
		database,
		origin: config.origin,
		versionEveryMinutes: config.versionEveryMinutes,
		compactAfterMs: config.compactAfterMs,
		redisUrl: config.redisUrl
	});
}

/** The collaboration server's composition root: one extension per concern, in order. */
export function createCollaboration(options: CollaborationOptions): Collaboration {
	const store = options.docStore ?? new DocStore(options.database.db);
	const lifecycle: Lifecycle = new Lifecycle(async () => options.database.db, (name) => persistence.waitPending(name));
	// Freezes, thaws and reconnects reach every instance on the same database (see controlBus.ts).
	const bus = startControlBus(
		options.database,
		{
			onNotice: (notice) => lifecycle.handleNotice(notice),
			onResync: () => void lifecycle.resync().catch((err: unknown) => console.error('[lifecycle] re-reading fences after the notice listener reconnected failed:', err))
		},
		(m, e) => console.error(`[control] ${m}`, e ?? '')
	);
	const relay: Relay | null = options.redisUrl ? createRelay(options.redisUrl, (): Hocuspocus<CollabContext> | null => hocuspocus) : null;
	// Filled in once the upgrade handler (which counts connections) exists.
	let countConnections = () => 0;
	const metrics = createMetrics({
		connections: () => countConnections(),
		documents: () => hocuspocus.getDocumentsCount(),
		quarantined: () => store.quarantinedCount()
	});
	const persistence: Persistence = new Persistence(async () => store, {
		appendGiveUpMs: options.appendGiveUpMs,
		shadowIdleMs: options.shadowIdleMs,
		accepts: (name) => lifecycle.accepts(name),
		metrics
	});
	const hocuspocus = new Hocuspocus<CollabContext>({
		name: 'gongjian',
		quiet: true,
		// Stores only compact and project (every edit is already in the log), so they may wait.
		debounce: options.compactAfterMs ?? 5_000,
		maxDebounce: (options.compactAfterMs ?? 5_000) * 6,
		extensions: [
			// First (priority 1000 whatever its place): its store lock lets one instance at a time compact a document.
			...(relay ? [relay.extension] : []),
			new UnloadGuard(),
			new Auth(async () => options.database.db),
			lifecycle,
			new BoardRules(),
			new Versions(async () => options.database.db, { everyMinutes: options.versionEveryMinutes, waitPending: (name) => persistence.waitPending(name) }),
			persistence,
			new MinutesTemplate(async () => options.database.db),
			new Projection(async () => options.database.db),
			new Presence()
		]
	});
	lifecycle.attach(hocuspocus, bus);
	const control: CollabControl = {
		freeze: (names) => lifecycle.freeze(names),
		thaw: (names) => lifecycle.thaw(names),
		reconnect: (names) => lifecycle.reconnect(names),
		reconnectUser: (userId) => lifecycle.reconnectUser(userId),
		async edit(name, change) {
			if (!lifecycle.accepts(name)) throw new Error(`${name} is frozen`);
			const connection = await hocuspocus.openDirectConnection(name, {} as CollabContext);
			try {
				const document = connection.document;
				if (!document) throw new Error(`${name} was closed before it could be changed`);
				// Stored before it is applied, so a refusal leaves nothing behind. (With Redis, the
				// other instances receive it through the relay and do not store it again.)
				await persistence.applyServerChange(name, document, change);
			} catch (err) {
				if (err instanceof Refusal && err.reason === CLOSE_REASONS.documentFrozen) throw new Error(`${name} is frozen: the change was not stored`, { cause: err });
				if (err instanceof Refusal && err.reason === CLOSE_REASONS.storageUnavailable) throw new Error(`${name}: the change could not be stored`, { cause: err });
				throw err;
			} finally {
				await connection.disconnect();
			}
		}
	};
	if (options.registerControl !== false) registerCollabControl(control);
	const upgrade = createUpgradeHandler(hocuspocus, { origin: options.origin });
	countConnections = () => upgrade.clients();

	let shuttingDown: Promise<void> | null = null;
	return {
		hocuspocus,
		control,
		metrics,
		persistence,
		handleUpgrade: upgrade.handle,
		shutdown() {
			shuttingDown ??= (async () => {
				registerCollabControl(null);
				// Transports first, so nobody reconnects to a server that is going away.
				await upgrade.close();
				// Every update already acknowledged is in the log; wait for the ones in flight.
				await persistence.drain();
				hocuspocus.flushPendingStores();
				// Stores (compaction) run on the debouncer; give them a moment, they are optional.
				const deadline = Date.now() + 2_000;
				while (hocuspocus.getDocumentsCount() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
				await relay?.close();
				await bus.stop();
			})();
			return shuttingDown;
		}
	};
}
