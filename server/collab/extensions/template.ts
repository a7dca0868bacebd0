import type { connectedPayload, Document, Extension, onLoadDocumentPayload } from '@hocuspocus/server';
import * as Y from 'yjs';
import { MINUTES_FIELD } from '../../../src/lib/docs/minutes';
import { parseDocName } from '../../../src/lib/docs/names';
import type { Db } from '../../../src/lib/server/db';
import { isPristine, layOutStoredMinutes } from '../../../src/lib/server/minutesTemplate';
import { ALREADY_STORED, type CollabContext } from '../context';

export interface MinutesTemplateOptions {
	log?: (message: string, err?: unknown) => void;
}

/**
 * Lays out empty minutes from the meeting, its agenda and the committee kind's template when
 * someone who may write them opens them once the meeting has started (before, the agenda is
 * still changing); an observer opening them first leaves them empty for the recorder.
 *
 * The skeleton is written to the update log first, under a database lock, and only then applied
 * to the live document: so it is laid out once however many instances open the document at the
 * same moment, and it is stored before any client sees it. (Applied during onLoadDocument, it
 * does not reach the persistence extension's onChange: Hocuspocus listens for changes only once
 * loading is over.)
 */
export class MinutesTemplate implements Extension {
	extensionName = 'minutes-template';
	// After persistence (500) has loaded the stored state, so "empty" means empty in storage too.
	priority = 400;
	private readonly running = new Map<string, Promise<void>>();
	private readonly log: (message: string, err?: unknown) => void;

	constructor(
		private readonly db: () => Promise<Db>,
		options: MinutesTemplateOptions = {}
	) {
		this.log = options.log ?? ((m, e) => console.error(`[minutes-template] ${m}`, e ?? ''));
	}

	async onLoadDocument({ document, documentName, context }: onLoadDocumentPayload<CollabContext>): Promise<void> {
		await this.layOut(document, documentName, context);
	}

	/*
	 * A document first opened by a reader stays loaded while they keep it open; the first writer
	 * to join it then gets the skeleton here. Every other connection finds the fragment written
	 * and returns at once, without asking the database.
	 */
	async connected({ connection, documentName, context }: connectedPayload<CollabContext>): Promise<void> {
		await this.layOut(connection.document, documentName, context);
	}

	private async layOut(document: Document, documentName: string, context: CollabContext): Promise<void> {
		const ref = parseDocName(documentName);
		if (ref?.kind !== 'minutes' || context.access !== 'write') return;
		if (!isPristine(document.getXmlFragment(MINUTES_FIELD))) return;
		const current = this.running.get(documentName);
		if (current) return current;
		const work = (async () => {
			try {
				const { state } = await layOutStoredMinutes(await this.db(), ref.meetingId);
				// One transaction, so clients receive the whole skeleton as one update. What this
				// instance already has (all of it when another instance laid the skeleton out) is a
				// no-op. It is in the log already: the origin tells persistence not to log it again.
				if (state) Y.applyUpdate(document, state, ALREADY_STORED);
			} catch (err) {
				// Empty minutes are still minutes: the recorder can write them by hand.
				this.log(`could not lay out the minutes of meeting ${ref.meetingId}`, err);
			}
		})();
		this.running.set(documentName, work);
		try {
			await work;
		} finally {
			this.running.delete(documentName);
		}
	}
}
