import * as Y from 'yjs';

/*
 * Typing into the same shape on every system: the minutes' ProseMirror fragment ("default"),
 * a paragraph, its text node — as y-prosemirror lays out a paragraph. On gongjian the
 * fragment already holds the minutes template; the baselines start empty.
 */
export const FIELD = 'default';

function firstParagraph(fragment: Y.XmlFragment): Y.XmlElement | null {
	for (const node of fragment.createTreeWalker((n) => n instanceof Y.XmlElement && n.nodeName === 'paragraph')) {
		if (node instanceof Y.XmlElement) return node;
	}
	return null;
}

/** The text node edits go to, once someone has created it. */
export function typingTarget(doc: Y.Doc): Y.XmlText | null {
	const paragraph = firstParagraph(doc.getXmlFragment(FIELD));
	const text = paragraph?.get(0);
	return text instanceof Y.XmlText ? text : null;
}

/** Done by one client per document before the others join, so they all type into one paragraph. */
export function ensureTypingTarget(doc: Y.Doc): Y.XmlText {
	const existing = typingTarget(doc);
	if (existing) return existing;
	const fragment = doc.getXmlFragment(FIELD);
	doc.transact(() => {
		let paragraph = firstParagraph(fragment);
		if (!paragraph) {
			paragraph = new Y.XmlElement('paragraph');
			fragment.insert(fragment.length, [paragraph]);
		}
		paragraph.insert(0, [new Y.XmlText('·')]);
	});
	const created = typingTarget(doc);
	if (!created) throw new Error('could not create the typing target');
	return created;
}

const ALPHABET = '会议听取了工作汇报并研究部署下一阶段任务abcdefghij ';

/**
 * Every keystroke is identified by the Yjs id of the character it inserts (its author's
 * clientID and the clock the insert takes), so no payload is added: the observer learns which
 * keystrokes it has just seen from the clocks that advanced in its transaction.
 */
export class EditClock {
	/** clientID → clock → performance.now() at the keystroke. */
	private readonly sent = new Map<number, Map<number, number>>();
	private seen = 0;
	latencies: number[] = [];
	recording = false;
	sentInWindow = 0;
	/** Every keystroke typed, window or not. */
	keystrokes = 0;

	/** `record`: false for the observer's own keystrokes, which no one else in this process watches. */
	keystroke(doc: Y.Doc, text: Y.XmlText, record: boolean): void {
		const clock = Y.getState(doc.store, doc.clientID);
		const at = performance.now();
		const pos = Math.floor(Math.random() * (text.length + 1));
		text.insert(pos, ALPHABET[Math.floor(Math.random() * ALPHABET.length)]!);
		this.keystrokes++;
		if (!this.recording || !record) return;
		let clocks = this.sent.get(doc.clientID);
		if (!clocks) {
			clocks = new Map();
			this.sent.set(doc.clientID, clocks);
		}
		clocks.set(clock, at);
		this.sentInWindow++;
	}

	/** Records, at `doc`'s observer, every recorded keystroke that a remote transaction brought in. */
	observe(doc: Y.Doc): void {
		doc.on('afterTransaction', (tr: Y.Transaction) => {
			if (tr.local) return;
			const now = performance.now();
			for (const [client, after] of tr.afterState) {
				const clocks = this.sent.get(client);
				if (!clocks) continue;
				for (let clock = tr.beforeState.get(client) ?? 0; clock < after; clock++) {
					const at = clocks.get(clock);
					if (at === undefined) continue;
					this.latencies.push(now - at);
					this.seen++;
				}
			}
		});
	}

	/** Keystrokes recorded but not (yet) seen by the observer of their document. */
	lost(): number {
		return this.sentInWindow - this.seen;
	}
}
