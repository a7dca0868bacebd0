import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Database } from '../../src/lib/server/db';
import { COLLAB_CONTROL_CHANNEL } from '../../src/lib/server/docFence';

/*
 * How instances tell each other about freezes, thaws and reconnects: NOTIFY on the database,
 * not Redis pub/sub. Why: a freeze's or thaw's notice is sent in the same transaction as its
 * fence row, so the others hear of it exactly when — and only if — it commits; it needs no
 * Redis (one instance on PGlite works the same); and the database already is the authority for
 * fences. A notice lost while an instance's LISTEN connection was down is made up for: the
 * listener reports its reconnection with an empty payload and the instance re-reads every
 * fence it relies on (Lifecycle.resync).
 */

export type ControlNotice =
	| { op: 'freeze' | 'thaw' | 'reconnect'; names: string[] }
	| { op: 'reconnectUser'; userId: string };

type Envelope = ControlNotice & { from: string };

export interface ControlBus {
	/** This instance's id; notices it sent itself are not handed back to it. */
	readonly instanceId: string;
	/** The payload to send (with pg_notify, possibly in a transaction of the caller's). */
	encode(notice: ControlNotice): string;
	/** Sends a notice on its own (outside any transaction). */
	publish(notice: ControlNotice): Promise<void>;
	stop(): Promise<void>;
}

export interface ControlHandlers {
	onNotice(notice: ControlNotice): void;
	/** Notices may have been missed (the listener reconnected): re-read the state. */
	onResync(): void;
}

function parse(payload: string): Envelope | null {
	try {
		const value = JSON.parse(payload) as Partial<Envelope>;
		if (typeof value.from !== 'string') return null;
		if ((value.op === 'freeze' || value.op === 'thaw' || value.op === 'reconnect') && Array.isArray(value.names) && value.names.every((n) => typeof n === 'string')) return value as Envelope;
		if (value.op === 'reconnectUser' && typeof value.userId === 'string') return value as Envelope;
		return null;
	} catch {
		return null;
	}
}

export function startControlBus(database: Database, handlers: ControlHandlers, log: (message: string, err?: unknown) => void): ControlBus {
	const instanceId = randomUUID();
	const listening = database.listen(COLLAB_CONTROL_CHANNEL, (payload) => {
		if (payload === '') {
			handlers.onResync();
			return;
		}
		const envelope = parse(payload);
		if (!envelope) {
			log(`ignored a malformed notice on ${COLLAB_CONTROL_CHANNEL}: ${payload.slice(0, 200)}`);
			return;
		}
		if (envelope.from === instanceId) return;
		const { from: _from, ...notice } = envelope;
		handlers.onNotice(notice);
	});
	listening.catch((err: unknown) => log(`could not LISTEN on ${COLLAB_CONTROL_CHANNEL}; this instance will not hear other instances' freezes, thaws and reconnects`, err));
	const encode = (notice: ControlNotice) => JSON.stringify({ ...notice, from: instanceId });
	return {
		instanceId,
		encode,
		async publish(notice) {
			await database.db.execute(sql`select pg_notify(${COLLAB_CONTROL_CHANNEL}, ${encode(notice)})`);
		},
		async stop() {
			const stop = await listening.catch(() => null);
			await stop?.();
		}
	};
}
