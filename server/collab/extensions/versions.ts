import type { Extension, onChangePayload, onStoreDocumentPayload } from '@hocuspocus/server';
import type { DbOrTx } from '../../../src/lib/server/db';
import { captureVersion, latestVersionAt, noteAuthor, versionKind } from '../../../src/lib/server/docVersion';
import type { CollabContext } from '../context';

export interface VersionsOptions {
	/** A version is taken when a document is stored and its latest version is older than this. */
	everyMinutes?: number;
	/** Resolves when the document's appends in flight are stored (persistence). */
	waitPending?: (documentName: string) => Promise<void>;
	log?: (message: string, err?: unknown) => void;
}

/**
 * Versions every N minutes of activity. Hocuspocus stores a document (debounced) only after it
 * changed, so "stored and the latest version is older than N minutes" means "N minutes of
 * activity since then". Its priority puts its store hook before persistence's compaction,
 * which deletes the log rows that name the authors.
 */
export class Versions implements Extension {
	extensionName = 'versions';
	priority = 510;
	private readonly everyMs: number;
	private readonly log: (message: string, err?: unknown) => void;

	constructor(
		private readonly db: () => Promise<DbOrTx>,
		private readonly options: VersionsOptions = {}
	) {
		this.everyMs = (options.everyMinutes ?? 10) * 60_000;
		this.log = options.log ?? ((m, e) => console.error(`[versions] ${m}`, e ?? ''));
	}

	async onChange(data: onChangePayload<CollabContext>): Promise<void> {
		// Client changes only: the server's own edits (restores, card statuses) have no author here.
		const userId = data.connection ? data.context?.user?.id : undefined;
		if (userId && versionKind(data.documentName)) noteAuthor(data.documentName, userId);
	}

	async onStoreDocument({ documentName }: onStoreDocumentPayload<CollabContext>): Promise<void> {
		if (!versionKind(documentName)) return;
		try {
			const db = await this.db();
			const last = await latestVersionAt(db, documentName);
			if (last && Date.now() - last.getTime() < this.everyMs) return;
			await this.options.waitPending?.(documentName);
			await captureVersion(db, documentName, { reason: 'auto' });
		} catch (err) {
			// A missed periodic version is not worth failing the store (and its compaction) for;
			// the next store tries again.
			this.log(`could not capture a version of ${documentName}`, err);
		}
	}
}
