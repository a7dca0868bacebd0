import type { beforeUnloadDocumentPayload, Document, Hocuspocus, onConnectPayload } from '@hocuspocus/server';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UnloadGuard } from '../../server/collab/extensions/unloadGuard';

/*
 * An opening that is never connected (its authentication refused, its socket gone) reports to
 * no hook. The unload it called off must be tried again, or the document stays in memory with
 * nobody in it (found by the socket fuzzer, tests/collab/socketFuzz.test.ts).
 */
describe('UnloadGuard', () => {
	beforeEach(() => vi.useFakeTimers());
	afterEach(() => vi.useRealTimers());

	function setUp() {
		const document = { name: 'minutes/x' } as unknown as Document;
		const unloadDocument = vi.fn(async (_document: Document) => undefined);
		const instance = { unloadingDocuments: new Map(), documents: new Map([['minutes/x', document]]), unloadDocument } as unknown as Hocuspocus;
		const guard = new UnloadGuard();
		const unload = { documentName: 'minutes/x', document, instance } as unknown as beforeUnloadDocumentPayload;
		const connect = { documentName: 'minutes/x', instance } as unknown as onConnectPayload;
		return { document, unloadDocument, guard, unload, connect };
	}

	it('tries an unload called off for an opening again, until the opening is forgotten', async () => {
		const { document, unloadDocument, guard, unload, connect } = setUp();
		await guard.onConnect(connect);
		await expect(guard.beforeUnloadDocument(unload)).rejects.toThrow(/being opened/);
		await vi.advanceTimersByTimeAsync(1_000);
		expect(unloadDocument).toHaveBeenCalledWith(document);
		// Once the opening is older than the window it no longer holds the document.
		vi.setSystemTime(Date.now() + 30_001);
		await expect(guard.beforeUnloadDocument(unload)).resolves.toBeUndefined();
		expect(guard.openingCount('minutes/x')).toBe(0);
	});

	it('does not try again for a document that was unloaded and loaded anew meanwhile', async () => {
		const { unloadDocument, guard, unload, connect } = setUp();
		await guard.onConnect(connect);
		await expect(guard.beforeUnloadDocument(unload)).rejects.toThrow();
		(unload.instance.documents as Map<string, unknown>).set('minutes/x', { name: 'minutes/x' });
		await vi.advanceTimersByTimeAsync(1_000);
		expect(unloadDocument).not.toHaveBeenCalled();
	});
});
