/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
import { build, files, version } from '$service-worker';

/*
 * Offline for people on weak networks: the app shell (this build's scripts, styles, icons) is
 * cached at install; pages and their data are fetched from the network first and, when that
 * fails, served from the copy kept the last time they were opened. The live documents keep
 * their own copy in IndexedDB (LiveDocument), so a meeting page opened before works offline
 * and its edits sync when the network is back.
 *
 * Never cached: the collaboration socket, the event stream, the JSON API, sign-in and
 * sign-out, downloads and anything not GET.
 */

const sw = self as unknown as ServiceWorkerGlobalScope;
const SHELL = `gongjian-shell-${version}`;
// Pages are tied to the build they reference: a page cached by an older version would ask for
// scripts the new shell no longer has.
const PAGES = `gongjian-pages-${version}`;
const OFFLINE = '/offline.html';
const SHELL_FILES = [...build, ...files];
const SHELL_SET = new Set(SHELL_FILES);
const NEVER = [/^\/collab/, /^\/events\//, /^\/api\//, /^\/login/, /^\/logout/, /\/export(\/|$)/, /\/template\//, /\/attachments\//];

sw.addEventListener('install', (event) => {
	event.waitUntil(
		(async () => {
			const cache = await caches.open(SHELL);
			// One by one rather than addAll: on a weak network one failed file must not leave the
			// whole app without offline support; a missing file is fetched when first needed.
			const results = await Promise.allSettled(SHELL_FILES.map((file) => cache.add(file)));
			const failed = results.filter((r) => r.status === 'rejected').length;
			if (failed > 0) console.warn(`[service worker] ${failed} of ${SHELL_FILES.length} files not cached for offline use`);
			await sw.skipWaiting();
		})()
	);
});

sw.addEventListener('activate', (event) => {
	event.waitUntil(
		caches
			.keys()
			.then((keys) => Promise.all(keys.filter((k) => k !== SHELL && k !== PAGES).map((k) => caches.delete(k))))
			.then(() => sw.clients.claim())
	);
});

// Signing out forgets the pages kept for offline use: on a shared phone the next person must
// not find the previous one's meetings.
sw.addEventListener('message', (event) => {
	if (event.data === 'signed-out') event.waitUntil(caches.delete(PAGES));
});

async function networkFirst(request: Request): Promise<Response> {
	const cache = await caches.open(PAGES);
	try {
		const response = await fetch(request);
		// Only complete, successful pages are worth keeping (not redirects to the sign-in page).
		if (response.status === 200 && !response.redirected) await cache.put(request, response.clone());
		return response;
	} catch (err) {
		const cached = await cache.match(request);
		if (cached) return cached;
		if (request.mode === 'navigate') {
			const offline = await caches.match(OFFLINE);
			if (offline) return offline;
		}
		throw err;
	}
}

sw.addEventListener('fetch', (event) => {
	const request = event.request;
	if (request.method !== 'GET') return;
	const url = new URL(request.url);
	if (url.origin !== sw.location.origin) return;
	if (NEVER.some((pattern) => pattern.test(url.pathname))) return;
	if (SHELL_SET.has(url.pathname)) {
		event.respondWith(caches.match(request).then((cached) => cached ?? fetch(request)));
		return;
	}
	if (request.mode === 'navigate' || url.pathname.endsWith('/__data.json')) event.respondWith(networkFirst(request));
});
