import { error } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { requireUser } from '$lib/server/guard';
import { subscribeProjectChanges } from '$lib/server/projectEvents';
import { visibleCommittee } from '$lib/server/visibility';
import type { RequestHandler } from './$types';

/** More would be a page listing many committees: that is the district scope's job. */
const MAX_COMMITTEES = 20;
/** Comments keep proxies and WeChat's browser from closing an idle stream. */
const HEARTBEAT_MS = 25_000;
/** Changes arriving together (a finalization with many decisions) reach the page as one. */
const COALESCE_MS = 300;

/**
 * Server-sent events "a tracked item changed" for the committees a page shows
 * (`?committee=<id>`, repeatable) or, for administrators, all of them (`?scope=all`). The
 * page reloads its data on each event; nothing here carries the change itself, so a missed
 * event costs a stale figure until the next one, never a wrong one.
 */
export const GET: RequestHandler = async ({ locals, url, request }) => {
	const user = requireUser(locals, url);
	const wantsAll = url.searchParams.get('scope') === 'all';
	const ids = [...new Set(url.searchParams.getAll('committee'))];
	if (wantsAll ? !user.isAdmin : ids.length === 0 || ids.length > MAX_COMMITTEES) error(400, { message: 'bad-request', code: 'bad_request' });
	let scope: Set<string> | 'all' = 'all';
	if (!wantsAll) {
		const db = await getDb();
		const visible = await Promise.all(ids.map((id) => visibleCommittee(db, user, id)));
		if (visible.some((c) => !c)) error(404, { message: 'not-found', code: 'not_found' });
		scope = new Set(ids);
	}

	const encoder = new TextEncoder();
	let cleanup = () => {};
	const stream = new ReadableStream<Uint8Array>({
		async start(controller) {
			let closed = false;
			let pending = new Set<string>();
			let timer: NodeJS.Timeout | null = null;
			const send = (text: string) => {
				if (closed) return;
				try {
					controller.enqueue(encoder.encode(text));
				} catch {
					// The client went away between the check and the write; cleanup follows.
					closed = true;
				}
			};
			const flush = () => {
				timer = null;
				const changed = [...pending];
				pending = new Set();
				send(`event: change\ndata: ${JSON.stringify({ committees: changed })}\n\n`);
			};
			const unsubscribe = await subscribeProjectChanges(scope, (committeeId) => {
				pending.add(committeeId);
				timer ??= setTimeout(flush, COALESCE_MS);
			});
			const heartbeat = setInterval(() => send(': ping\n\n'), HEARTBEAT_MS);
			let finished = false;
			cleanup = () => {
				if (finished) return;
				finished = true;
				closed = true;
				clearInterval(heartbeat);
				if (timer) clearTimeout(timer);
				timer = null;
				unsubscribe();
				try {
					controller.close();
				} catch {
					// Already closed by the client's disconnect.
				}
			};
			request.signal.addEventListener('abort', () => cleanup(), { once: true });
			// Ten seconds before an interrupted stream is retried: gentle on weak networks.
			send('retry: 10000\nevent: ready\ndata: {}\n\n');
		},
		cancel() {
			cleanup();
		}
	});
	return new Response(stream, {
		headers: {
			'content-type': 'text/event-stream; charset=utf-8',
			'cache-control': 'no-cache, no-transform',
			'x-accel-buffering': 'no'
		}
	});
};
