import { database } from './db';

/*
 * "A tracked item of committee X changed": the database notifies the channel from triggers
 * (migration 0007) whatever wrote the change — a finalization, a status change, a monthly
 * report, another instance — and this hub fans it out to the open pages' event streams.
 * One LISTEN per process, started by the first subscriber. An empty payload means "anything
 * may have changed" (the listening connection was re-established) and reaches everyone.
 */

export const PROJECT_CHANNEL = 'project_changes';

/** A subscriber to some committees' changes, or to all of them (the district dashboard). */
type Scope = ReadonlySet<string> | 'all';
interface Subscriber {
	scope: Scope;
	notify(committeeId: string): void;
}

interface Hub {
	subscribers: Set<Subscriber>;
	started: Promise<void> | null;
	stop: (() => Promise<void>) | null;
}

// One hub per process, whichever module graph (SvelteKit bundle, dev server) asks for it.
const KEY = Symbol.for('gongjian.projectEvents');
function hub(): Hub {
	const g = globalThis as unknown as Record<symbol, Hub | undefined>;
	return (g[KEY] ??= { subscribers: new Set(), started: null, stop: null });
}

function deliver(payload: string): void {
	for (const s of hub().subscribers) {
		if (payload === '' || s.scope === 'all' || s.scope.has(payload)) {
			try {
				s.notify(payload);
			} catch (err) {
				console.error('[projectEvents] a subscriber failed:', err);
			}
		}
	}
}

async function start(): Promise<void> {
	const h = hub();
	h.started ??= (async () => {
		const db = await database();
		h.stop = await db.listen(PROJECT_CHANNEL, deliver);
	})().catch((err: unknown) => {
		// Let the next subscriber try again; pages still work, they just refresh on reload.
		h.started = null;
		throw err;
	});
	return h.started;
}

/** Calls `notify` with the committee's id whenever one of its tracked items changes. */
export async function subscribeProjectChanges(scope: Scope, notify: (committeeId: string) => void): Promise<() => void> {
	await start();
	const subscriber: Subscriber = { scope, notify };
	hub().subscribers.add(subscriber);
	return () => {
		hub().subscribers.delete(subscriber);
	};
}

/** Stops listening (tests, shutdown); the next subscriber starts again. */
export async function stopProjectEvents(): Promise<void> {
	const h = hub();
	const stop = h.stop;
	h.stop = null;
	h.started = null;
	h.subscribers.clear();
	await stop?.();
}
