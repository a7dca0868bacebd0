import type { beforeSyncPayload, Extension, Hocuspocus, onLoadDocumentPayload } from '@hocuspocus/server';
import { CLOSE_CODES, CLOSE_REASONS } from '../../../src/lib/docs/closeReasons';
import { parseDocName } from '../../../src/lib/docs/names';
import type { Db } from '../../../src/lib/server/db';
import { getBulletin } from '../../../src/lib/server/bulletin';
import { getMeeting } from '../../../src/lib/server/meeting';
import type { CollabControl } from '../../../src/lib/server/collabControl';
import { Refusal, type CollabContext } from '../context';

const SYNC_STEP_2 = 1;
const SYNC_UPDATE = 2;

/**
 * A finalized record refuses writes from everyone, enforced here and not only by read-only
 * connections: an update to a frozen document is refused before it is stored or applied.
 * Documents are frozen when loaded in a finalized state and while a finalization runs.
 */
export class Lifecycle implements Extension, CollabControl {
	extensionName = 'lifecycle';
	// Before persistence: a refused update must never reach the log.
	priority = 600;
	private readonly frozen = new Set<string>();
	private instance: Hocuspocus<CollabContext> | null = null;

	constructor(
		private readonly db: () => Promise<Db>,
		private readonly drain: (docName: string) => Promise<void>
	) {}

	attach(instance: Hocuspocus<CollabContext>): void {
		this.instance = instance;
	}

	async onLoadDocument({ documentName }: onLoadDocumentPayload): Promise<void> {
		const ref = parseDocName(documentName);
		if (ref?.kind === 'bulletin') {
			const bulletin = await getBulletin(await this.db(), ref.scopeId, ref.year, ref.quarter);
			if (bulletin?.state === 'frozen') this.frozen.add(documentName);
			return;
		}
		if (ref?.kind !== 'agenda' && ref?.kind !== 'minutes') return;
		const meeting = await getMeeting(await this.db(), ref.meetingId);
		if (meeting?.state === 'finalized') this.frozen.add(documentName);
	}

	async beforeSync(data: beforeSyncPayload<CollabContext>): Promise<void> {
		if (data.type !== SYNC_STEP_2 && data.type !== SYNC_UPDATE) return;
		if (data.connection.readOnly || !this.frozen.has(data.documentName)) return;
		throw new Refusal(CLOSE_REASONS.documentFrozen, CLOSE_CODES.documentFrozen);
	}

	/** Whether the document takes writes now (asked by persistence right before each append). */
	accepts(docName: string): boolean {
		return !this.frozen.has(docName);
	}

	async freeze(docNames: string[]): Promise<void> {
		for (const name of docNames) this.frozen.add(name);
		// Updates that passed the check before the freeze are being stored; wait for them.
		await Promise.all(docNames.map((name) => this.drain(name)));
	}

	thaw(docNames: string[]): void {
		for (const name of docNames) this.frozen.delete(name);
	}

	/** Drops every transport a person holds, whatever the document: their rights changed. */
	reconnectUser(userId: string): void {
		if (!this.instance) return;
		for (const document of this.instance.documents.values()) {
			for (const connection of document.connections.keys()) {
				if ((connection.context as Partial<CollabContext> | undefined)?.user?.id === userId) connection.webSocket.close(CLOSE_CODES.accessChanged, CLOSE_REASONS.accessChanged);
			}
		}
	}

	reconnect(docNames: string[]): void {
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
