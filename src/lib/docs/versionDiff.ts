/*
 * Differences between two versions of a live document, as plain data the pages render.
 * Pure (no Yjs here): the server turns each version into blocks of text or lists of items on
 * scratch documents and hands them to these functions. Comparing two full states means an
 * insertion deleted again before the next version never shows — it is in neither state.
 */

export type SegmentOp = 'eq' | 'ins' | 'del';
export interface Segment {
	op: SegmentOp;
	text: string;
}

/** One block of the minutes: unchanged, inserted, deleted or changed (with its segments). */
export interface BlockDiff {
	kind: 'same' | 'added' | 'removed' | 'changed';
	segments: Segment[];
}

export interface TextDiff {
	blocks: BlockDiff[];
	/** Runs of inserted or deleted text: what "N changes" counts. */
	changes: number;
}

/** An agenda item or board card added, changed (naming the fields) or removed. */
export interface ItemChange {
	id: string;
	kind: 'added' | 'changed' | 'removed';
	title: string;
	fields: string[];
}

/** What changed between two versions: text for the minutes, items for the agenda and boards. */
export type VersionDiff = { kind: 'minutes'; text: TextDiff } | { kind: 'agenda' | 'board'; items: ItemChange[] };

/**
 * Splits text into tokens a reader would compare: every CJK character on its own (Chinese has
 * no spaces), runs of letters or digits as words, whitespace runs, and single punctuation marks.
 */
export function tokenize(text: string): string[] {
	return text.match(/\p{Script=Han}|[\p{L}\p{N}_]+|\s+|[^\s]/gu)?.flatMap(splitHan) ?? [];
}

// The word pattern also swallows Han characters glued to latin letters ("AB楼"); split them out.
function splitHan(token: string): string[] {
	if (token.length <= 1 || !/\p{Script=Han}/u.test(token)) return [token];
	return token.match(/\p{Script=Han}|[^\p{Script=Han}]+/gu) ?? [token];
}

type Edit<T> = { op: SegmentOp; item: T };

/**
 * Myers' O((N+M)·D) shortest edit script, after trimming the common prefix and suffix, so two
 * long minutes that differ in a few places cost little. Equality is `===` on the items.
 */
export function diffSequences<T>(a: readonly T[], b: readonly T[], same: (x: T, y: T) => boolean = (x, y) => x === y): Edit<T>[] {
	let start = 0;
	while (start < a.length && start < b.length && same(a[start]!, b[start]!)) start++;
	let endA = a.length;
	let endB = b.length;
	while (endA > start && endB > start && same(a[endA - 1]!, b[endB - 1]!)) {
		endA--;
		endB--;
	}
	const head: Edit<T>[] = a.slice(0, start).map((item) => ({ op: 'eq', item }));
	const tail: Edit<T>[] = a.slice(endA).map((item) => ({ op: 'eq', item }));
	const A = a.slice(start, endA);
	const B = b.slice(start, endB);
	const n = A.length;
	const m = B.length;
	if (n === 0) return [...head, ...B.map((item): Edit<T> => ({ op: 'ins', item })), ...tail];
	if (m === 0) return [...head, ...A.map((item): Edit<T> => ({ op: 'del', item })), ...tail];
	const max = n + m;
	const offset = max;
	const v = new Int32Array(2 * max + 2);
	const trace: Int32Array[] = [];
	let found = false;
	for (let d = 0; d <= max && !found; d++) {
		trace.push(v.slice());
		for (let k = -d; k <= d; k += 2) {
			let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
			let y = x - k;
			while (x < n && y < m && same(A[x]!, B[y]!)) {
				x++;
				y++;
			}
			v[offset + k] = x;
			if (x >= n && y >= m) {
				found = true;
				break;
			}
		}
	}
	// Walk back through the saved frontiers to recover the path.
	const middle: Edit<T>[] = [];
	let x = n;
	let y = m;
	for (let d = trace.length - 1; d > 0; d--) {
		const vd = trace[d]!;
		const k = x - y;
		const prevK = k === -d || (k !== d && vd[offset + k - 1]! < vd[offset + k + 1]!) ? k + 1 : k - 1;
		const prevX = vd[offset + prevK]!;
		const prevY = prevX - prevK;
		while (x > prevX && y > prevY) {
			middle.push({ op: 'eq', item: A[--x]! });
			y--;
		}
		if (x === prevX) middle.push({ op: 'ins', item: B[--y]! });
		else middle.push({ op: 'del', item: A[--x]! });
	}
	while (x > 0 && y > 0) {
		middle.push({ op: 'eq', item: A[--x]! });
		y--;
	}
	middle.reverse();
	return [...head, ...middle, ...tail];
}

function pushSegment(segments: Segment[], op: SegmentOp, text: string): void {
	if (!text) return;
	const last = segments[segments.length - 1];
	if (last && last.op === op) last.text += text;
	else segments.push({ op, text });
}

/** Token-level differences inside one block. */
export function diffText(from: string, to: string): Segment[] {
	const segments: Segment[] = [];
	for (const e of diffSequences(tokenize(from), tokenize(to))) pushSegment(segments, e.op, e.item);
	return segments;
}

const countRuns = (segments: Segment[]) => segments.filter((s) => s.op !== 'eq').length;

/**
 * Block-level alignment first (unchanged blocks match whole), then the blocks that differ are
 * paired in order and compared token by token; unpaired ones are whole insertions or deletions.
 */
export function diffBlocks(from: readonly string[], to: readonly string[]): TextDiff {
	const blocks: BlockDiff[] = [];
	let removed: string[] = [];
	let added: string[] = [];
	const flush = () => {
		const paired = Math.min(removed.length, added.length);
		for (let i = 0; i < paired; i++) {
			const segments = diffText(removed[i]!, added[i]!);
			blocks.push({ kind: segments.some((s) => s.op !== 'eq') ? 'changed' : 'same', segments });
		}
		for (const text of removed.slice(paired)) blocks.push({ kind: 'removed', segments: text ? [{ op: 'del', text }] : [] });
		for (const text of added.slice(paired)) blocks.push({ kind: 'added', segments: text ? [{ op: 'ins', text }] : [] });
		removed = [];
		added = [];
	};
	for (const e of diffSequences(from, to)) {
		if (e.op === 'eq') {
			flush();
			blocks.push({ kind: 'same', segments: e.item ? [{ op: 'eq', text: e.item }] : [] });
		} else if (e.op === 'del') removed.push(e.item);
		else added.push(e.item);
	}
	flush();
	// An empty paragraph added or removed is a change too, though it has no text to count.
	const changes = blocks.reduce((n, b) => n + (b.kind === 'added' || b.kind === 'removed' ? Math.max(1, countRuns(b.segments)) : countRuns(b.segments)), 0);
	return { blocks, changes };
}

/** Items keyed by id: added, removed, and changed (which fields differ). */
export function diffItems<T extends { id: string; title: string }>(from: readonly T[], to: readonly T[], ignore: readonly (keyof T)[] = []): ItemChange[] {
	const before = new Map(from.map((i) => [i.id, i]));
	const after = new Map(to.map((i) => [i.id, i]));
	const changes: ItemChange[] = [];
	for (const item of to) {
		const old = before.get(item.id);
		if (!old) {
			changes.push({ id: item.id, kind: 'added', title: item.title, fields: [] });
			continue;
		}
		const fields = (Object.keys(item) as (keyof T)[]).filter((k) => !ignore.includes(k) && JSON.stringify(item[k]) !== JSON.stringify(old[k])).map(String);
		if (fields.length > 0) changes.push({ id: item.id, kind: 'changed', title: item.title, fields });
	}
	for (const item of from) if (!after.has(item.id)) changes.push({ id: item.id, kind: 'removed', title: item.title, fields: [] });
	return changes;
}
