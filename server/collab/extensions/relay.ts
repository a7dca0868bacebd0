import { Redis as RedisExtension } from '@hocuspocus/extension-redis';
import { OutgoingMessage, type Hocuspocus } from '@hocuspocus/server';
import IORedis, { type RedisOptions } from 'ioredis';
import type { CollabContext } from '../context';

/*
 * Several instances: @hocuspocus/extension-redis relays every document change to the other
 * instances holding the same document (a state-vector exchange over Redis pub/sub). Relayed
 * changes arrive with the transaction origin { source: 'redis' }; persistence does not store
 * them again (the receiving instance stored them before acknowledging).
 *
 * Redis is not where anything durable lives: when it is unreachable, each instance keeps
 * serving its own clients and storing their edits, and only the relay pauses. ioredis
 * reconnects and resubscribes on its own; on reconnection this module asks the peers for
 * every loaded document's missing state, so replicas that diverged meanwhile converge
 * without waiting for the next keystroke.
 */

export interface Relay {
	extension: RedisExtension;
	close(): Promise<void>;
}

type Log = (message: string, err?: unknown) => void;

/** Where the URL points, without its credentials (for log lines). */
function describe(url: string): string {
	const u = new URL(url);
	return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
}

export function createRelay(redisUrl: string, hocuspocus: () => Hocuspocus<CollabContext> | null, log: Log = (m, e) => console.error(`[redis] ${m}`, e ?? '')): Relay {
	const where = describe(redisUrl);
	const clients: IORedis[] = [];
	let resyncTimers: NodeJS.Timeout[] = [];
	let closing = false;

	/** Every connection gets its listeners before it first connects: an 'error' is logged, never thrown. */
	const connect = (role: string, options: RedisOptions): IORedis => {
		const client = new IORedis(redisUrl, options);
		let downSince: number | null = null;
		let readyBefore = false;
		client.on('error', (err: Error) => {
			// ioredis emits one error per reconnection attempt; say it once per outage.
			if (downSince !== null) return;
			downSince = Date.now();
			log(`${role} connection to ${where} failed; document updates are not relayed to other instances until it is back (ioredis keeps reconnecting): ${err.message}`);
		});
		client.on('ready', () => {
			if (downSince !== null) log(`${role} connection to ${where} is back after ${((Date.now() - downSince) / 1000).toFixed(1)} s`);
			downSince = null;
			if (readyBefore && role === 'subscriber' && !closing) scheduleResync();
			readyBefore = true;
		});
		clients.push(client);
		return client;
	};

	let created = 0;
	const extension = new RedisExtension({
		// A factory rather than one instance to duplicate: duplicates would not carry our listeners.
		createClient: () => connect(created++ === 0 ? 'publisher' : 'subscriber', {}),
		prefix: 'gongjian'
	});

	/**
	 * Publishes a SyncStep1 for every loaded document, as the extension does after each change:
	 * each peer answers with what we miss and its own state vector, which we answer in turn.
	 * Twice, because the peers' subscriptions may come back a moment after ours.
	 */
	const scheduleResync = () => {
		for (const delay of [250, 1_500]) {
			const timer = setTimeout(() => {
				resyncTimers = resyncTimers.filter((t) => t !== timer);
				resync().catch((err: unknown) => log(`resynchronising documents with the other instances through ${where} failed; the next change of each document will`, err));
			}, delay);
			timer.unref();
			resyncTimers.push(timer);
		}
	};

	const resync = async () => {
		const instance = hocuspocus();
		if (!instance || closing) return;
		await Promise.all(
			[...instance.documents.values()].map((document) => {
				const message = new OutgoingMessage(document.name).createSyncMessage().writeFirstSyncStepFor(document);
				return extension.pub.publish(`${extension.configuration.prefix}:${document.name}`, Buffer.concat([extension.messagePrefix, Buffer.from(message.toUint8Array())]));
			})
		);
	};

	return {
		extension,
		async close() {
			closing = true;
			for (const timer of resyncTimers) clearTimeout(timer);
			resyncTimers = [];
			try {
				await extension.onDestroy();
			} catch (err) {
				log(`closing the connections to ${where}`, err);
				for (const client of clients) client.disconnect(false);
			}
		}
	};
}
