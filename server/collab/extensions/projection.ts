import type { Extension, onStoreDocumentPayload } from '@hocuspocus/server';
import { parseDocName } from '../../../src/lib/docs/names';
import { projectBoard } from '../../../src/lib/server/board';
import type { Db } from '../../../src/lib/server/db';

/**
 * Projects structured facts that live inside documents into tables on every store, so that
 * dashboards and reports see them without parsing documents. Idempotent: a store that runs
 * twice (several instances, retries) writes the same rows.
 */
export class Projection implements Extension {
	extensionName = 'projection';
	priority = 300;

	constructor(private readonly db: () => Promise<Db>) {}

	async onStoreDocument({ documentName, document }: onStoreDocumentPayload): Promise<void> {
		const ref = parseDocName(documentName);
		if (ref?.kind !== 'board') return;
		try {
			await projectBoard(await this.db(), { committeeId: ref.committeeId, year: ref.year }, document);
		} catch (err) {
			console.error(`[projection] could not project ${documentName}:`, err);
			// Rethrown: Hocuspocus then keeps the document in memory and stores (projects) again later.
			throw err;
		}
	}
}
