import type { beforeSyncPayload, Extension, Hocuspocus, onLoadDocumentPayload } from '@hocuspocus/server';
import { CLOSE_CODES, CLOSE_REASONS } from '../../../src/lib/docs/closeReasons';
import { parseDocName } from '../../../src/lib/docs/names';
import type { Db } from '../../../src/lib/server/db';
import { getBulletin } from '../../../src/lib/server/bulletin';
import { getMeeting } from '../../../src/lib/server/meeting';
import { fence, fencedAmong, unfence } from '../../../src/lib/server/docFence';
import type { ControlBus, ControlNotice } from '../controlBus';
import { Refusal, type CollabContext } from '../context';

const SYNC_STEP_2 = 1;
const SYNC_UPDATE = 2;

/**
 * A finalized record refuses writes from everyone, enforced here and not only by read-only
 * connections: an update to a frozen document is refused before it is stored or applied.
 *
 * The database is the authority (docFence.ts): a fence makes every instance's append of the
 * document fail, so nothing is acknowledged that a freeze did not wait for. The in-memory set
 * is the fast path that refuses early, kept current by the control bus: documents are frozen
 * when loaded fenced or in a finalized state, while a finalization runs, and when another
 * instance freezes them.
 */
export class Lifecycle implements Extension {
	extensionName = 'lifecycle';
	// Before persistence: a refused update must never reach the log.
	priority = 600;
	private readonly frozen = new Set<string>();
	private instance: Hocuspocus<CollabContext> | null = null;
	private bus: ControlBus | null = null;

	constructor(
		private readonly db: () => Promise<Db>,
		private readonly drain: (docName: string) => Promise<void>,
		private readonly log: (message: string, err?: unknown) => void = (m, e) => console.error(`[lifecycle] ${m}`, e ?? '')
	) {}

	attach(instance: Hocuspocus<CollabContext>, bus: ControlBus | null = null): void {
		this.instance = instance;
		this.bus = bus;
	}

	async onLoadDocument({ documentName }: onLoadDocumentPayload): Promise<void> {
		if (await this.frozenInDatabase(documentName)) this.frozen.add(documentName);
	}

	/** A fence, or a record state that says frozen (documents finalized where no collaboration server ran, e.g. the demo seed). */
	private async frozenInDatabase(documentName: string): Promise<boolean> {
		const db = await this.db();
		if ((await fencedAmong(db, [documentName])).size > 0) return true;
		const ref = parseDocName(documentName);
		if (ref?.kind === 'bulletin') return (await getBulletin(db, ref.scopeId, ref.year, ref.quarter))?.state === 'frozen';
		if (ref?.kind !== 'agenda' && ref?.kind !== 'minutes') return false;
		return (await getMeeting(db, ref.meetingId))?.state === 'finalized';
	}

	async beforeSync(data: beforeSyncPayload<CollabContext>): Promise<void> {
		if (data.type !== SYNC_STEP_2 && data.type !== SYNC_UPDATE) return;
		if (data.connection.readOnly || !this.frozen.has(data.documentName)) return;
		throw new Refusal(CLOSE_REASONS.documentFrozen, CLOSE_CODES.documentFrozen);
	}

	/** Whether the document takes writes now as far as this instance knows (asked by persistence right before each append; the fence decides). */
	accepts(docName: string): boolean {
		return !this.frozen.has(docName);
	}

	async freeze(docNames: string[]): Promise<void> {
		for (const name of docNames) this.frozen.add(name);
		// Updates that passed the check before the freeze are being stored here; let them land.
		await Promise.all(docNames.map((name) => this.drain(name)));
		// Then the fence, which waits for the appends in flight on every instance.
		await fence(await this.db(), docNames, this.bus?.encode({ op: 'freeze', names: docNames }) ?? null);
	}

	async thaw(docNames: string[]): Promise<void> {
		await unfence(await this.db(), docNames, this.bus?.encode({ op: 'thaw', names: docNames }) ?? null);
		for (const name of docNames) this.frozen.delete(name);
	}

	/** A notice from another instance (see controlBus.ts). */
	handleNotice(notice: ControlNotice): void {
		switch (notice.op) {
			case 'freeze':
				for (const name of notice.names) this.frozen.add(name);
				return;
			case 'thaw':
				for (const name of notice.names) this.frozen.delete(name);
				return;
			case 'reconnect':
				this.reconnectHere(notice.names);
				return;
			case 'reconnectUser':
				this.reconnectUserHere(notice.userId);
				return;
		}
	}

	/** Notices may have been missed: the database decides again for every document this instance knows of. */
	async resync(): Promise<void> {
		const names = new Set([...this.frozen, ...(this.instance?.documents.keys() ?? [])]);
		for (const name of names) {
			if (await this.frozenInDatabase(name)) this.frozen.add(name);
			else this.frozen.delete(name);
		}
	}

	reconnectUser(userId: string): void {
		this.reconnectUserHere(userId);
		this.publish({ op: 'reconnectUser', userId });
	}

	reconnect(docNames: string[]): void {
		this.reconnectHere(docNames);
		this.publish({ op: 'reconnect', names: docNames });
	}

	private publish(notice: ControlNotice): void {
		this.bus?.publish(notice).catch((err: unknown) => this.log(`could not tell the other instances to ${notice.op}`, err));
	}

	/** Drops every transport a person holds, whatever the document: their rights changed. */
	private reconnectUserHere(userId: string): void {
		if (!this.instance) return;
		for (const document of this.instance.documents.values()) {
			for (const connection of document.connections.keys()) {
				if ((connection.context as Partial<CollabContext> | undefined)?.user?.id === userId) connection.webSocket.close(CLOSE_CODES.accessChanged, CLOSE_REASONS.accessChanged);
			}
		}
	}

	private reconnectHere(docNames: string[]): void {
		if (!this.instance) return;
		for (const name of docNames) {
			const document = this.instance.documents.get(name);
			if (!document) continue;
			for (const connection of document.connections.keys()) {
				connection.webSocket.close(CLOSE_CODES.accessChanged, CLOSE_REASONS.accessChanged);
			}
		}
	}
}
