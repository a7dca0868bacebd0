import type { beforeUnloadDocumentPayload, connectedPayload, Extension, onConnectPayload } from '@hocuspocus/server';

/** How long a connection may take from its first message to being connected before it no longer holds its document in memory. */
const OPENING_MS = 30_000;
/** How often an unload called off for an opening is tried again. */
const RETRY_MS = 1_000;

/**
 * Keeps a document in memory while someone is opening it. Hocuspocus hands a connection the
 * loaded document while that document's unload is already under way (createDocument finds it
 * still in `documents`); the unload then destroys it under the new connection, which is left
 * refused or silent. So: a connection opening a document that is unloading waits for the
 * unload to finish (and then loads it afresh), and an unload that starts while a connection
 * is being set up is called off.
 *
 * An opening that never gets connected (authentication refused, the socket gone meanwhile) is
 * not reported by any hook, so an unload called off for it is tried again until the openings
 * are connected or forgotten: otherwise the document, with nobody in it, would stay in memory
 * until someone else opened and left it (the socket fuzzer found this).
 */
export class UnloadGuard implements Extension {
	extensionName = 'unload-guard';
	// First of all: before authentication and loading.
	priority = 2000;
	/** Per document, when each connection being set up began. */
	private readonly opening = new Map<string, number[]>();
	private readonly retries = new Map<string, ReturnType<typeof setTimeout>>();

	async onConnect({ documentName, instance }: onConnectPayload): Promise<void> {
		const started = this.opening.get(documentName) ?? [];
		started.push(Date.now());
		this.opening.set(documentName, started);
		const unloading = instance.unloadingDocuments.get(documentName);
		// However the unload ends, this connection then gets a document loaded afresh.
		if (unloading) await unloading.catch(() => undefined);
	}

	async connected({ documentName }: connectedPayload): Promise<void> {
		const started = this.opening.get(documentName);
		started?.shift();
		if (started?.length === 0) this.opening.delete(documentName);
	}

	async beforeUnloadDocument({ documentName, document, instance }: beforeUnloadDocumentPayload): Promise<void> {
		const started = this.opening.get(documentName);
		if (!started) return;
		// A connection refused before it was connected never reports back: forget it after a while.
		const now = Date.now();
		while (started.length > 0 && now - started[0]! > OPENING_MS) started.shift();
		if (started.length === 0) {
			this.opening.delete(documentName);
			return;
		}
		// Throwing keeps the document loaded; its connection's disconnect unloads it, or the retry.
		if (!this.retries.has(documentName)) {
			const retry = setTimeout(() => {
				this.retries.delete(documentName);
				// unloadDocument does nothing once someone is connected or the document was replaced.
				if (instance.documents.get(documentName) === document) instance.unloadDocument(document).catch((err: unknown) => console.error(`[unload-guard] unloading ${documentName} failed:`, err));
			}, RETRY_MS);
			retry.unref();
			this.retries.set(documentName, retry);
		}
		throw new Error(`${documentName} is being opened`);
	}

	/** Connections being set up for the document (tests). */
	openingCount(documentName: string): number {
		return this.opening.get(documentName)?.length ?? 0;
	}
}
