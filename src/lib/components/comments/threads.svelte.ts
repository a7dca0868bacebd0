/*
 * The comment threads of one live document, as the page sees them: loaded from
 * /api/v1/comments and reloaded after every change this person makes. A rune class created
 * per page (never at module level: the server renders for many people).
 */

export type ThreadStatus = 'open' | 'resolved' | 'detached';

export interface CommentView {
	id: string;
	authorId: string | null;
	authorName: string;
	body: string | null;
	createdAt: string;
	editedAt: string | null;
	mentions: { id: string; name: string }[];
}

export interface ThreadView {
	id: string;
	anchorKind: 'text' | 'agenda_item' | 'card';
	anchorId: string;
	quote: string;
	status: ThreadStatus;
	resolvedAt: string | null;
	createdAt: string;
	comments: CommentView[];
}

export interface MemberOption {
	id: string;
	name: string;
}

export type NewAnchor = { kind: 'text'; start: string; end: string } | { kind: 'agenda_item'; id: string } | { kind: 'card'; id: string };

/** A refusal to show: a catalogue key (the server's error code) and its parameters. */
export interface CommentProblem {
	key: string;
	params: Record<string, string | number>;
}

const ENDPOINT = '/api/v1/comments';

export class CommentThreads {
	threads = $state<ThreadView[]>([]);
	members = $state<MemberOption[]>([]);
	canComment = $state(false);
	me = $state('');
	loaded = $state(false);
	loadFailed = $state(false);
	problem = $state<CommentProblem | null>(null);
	busy = $state(false);

	constructor(readonly docName: string) {}

	countFor(anchorId: string): number {
		return this.threads.filter((t) => t.anchorId === anchorId && t.status !== 'resolved').length;
	}

	async load(): Promise<void> {
		try {
			const res = await fetch(`${ENDPOINT}?doc=${encodeURIComponent(this.docName)}`, { headers: { accept: 'application/json' } });
			if (!res.ok) throw new Error(`comments: HTTP ${res.status}`);
			const data = (await res.json()) as { threads: ThreadView[]; members: (MemberOption & { role: string })[]; canComment: boolean; me: string };
			this.threads = data.threads;
			this.members = data.members.map((m) => ({ id: m.id, name: m.name }));
			this.canComment = data.canComment;
			this.me = data.me;
			this.loadFailed = false;
		} catch (err) {
			// Shown as "could not load"; logged so that the cause is not lost.
			console.error(err);
			this.loadFailed = true;
		} finally {
			this.loaded = true;
		}
	}

	/** Sends one operation; on success reloads and returns the response, on refusal sets `problem`. */
	private async send(body: Record<string, unknown>): Promise<Record<string, unknown> | null> {
		this.busy = true;
		this.problem = null;
		try {
			const res = await fetch(ENDPOINT, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) });
			const data = (await res.json().catch(() => ({}))) as { error?: { code?: string; params?: Record<string, string | number> } } & Record<string, unknown>;
			if (!res.ok) {
				this.problem = { key: data.error?.code?.startsWith('comment.') ? data.error.code : 'comment.failed', params: data.error?.params ?? {} };
				return null;
			}
			await this.load();
			return data;
		} catch (err) {
			console.error(err);
			this.problem = { key: 'comment.failed', params: {} };
			return null;
		} finally {
			this.busy = false;
		}
	}

	async open(anchor: NewAnchor, body: string, mentions: string[]): Promise<string | null> {
		const data = await this.send({ op: 'open', doc: this.docName, anchor, body, mentions });
		return typeof data?.threadId === 'string' ? data.threadId : null;
	}

	async reply(threadId: string, body: string, mentions: string[]): Promise<boolean> {
		return (await this.send({ op: 'reply', threadId, body, mentions })) !== null;
	}

	async edit(commentId: string, body: string): Promise<boolean> {
		return (await this.send({ op: 'edit', commentId, body })) !== null;
	}

	async remove(commentId: string): Promise<boolean> {
		return (await this.send({ op: 'delete', commentId })) !== null;
	}

	async setResolved(threadId: string, resolved: boolean): Promise<boolean> {
		return (await this.send({ op: resolved ? 'resolve' : 'reopen', threadId })) !== null;
	}
}
