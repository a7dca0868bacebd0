/*
 * Links to a decision (`/meetings/<id>#decision-<blockId>`, from its project item) arrive
 * before the minutes exist in the page: the editor renders the block only once the live
 * document has synced, so the browser's own jump to the fragment finds nothing. This waits for
 * the block, scrolls it into view and flashes it. The agenda above may still be loading and
 * push it down, so for a short while it scrolls again when the page grows — until the reader
 * scrolls or types themself.
 *
 * The flash is a Web Animation, not a class or style: the block's element belongs to
 * ProseMirror, and changing its attributes would be read back as an edit of the document.
 */

const FRAGMENT = /^#decision-([0-9a-f-]{36})$/i;
const FOLLOW_MS = 3000;

function flash(el: HTMLElement): void {
	if (typeof el.animate !== 'function') return;
	const on = { boxShadow: '0 0 0 4px rgba(245, 158, 11, 0.9)', backgroundColor: '#fff7d6' };
	el.animate([on, { ...on, offset: 0.75 }, { boxShadow: '0 0 0 4px rgba(245, 158, 11, 0)', backgroundColor: 'transparent' }], { duration: 4000, easing: 'ease-out' });
}

/** Starts watching for the decision the URL's fragment names; returns the function that stops it. */
export function revealDecisionFromHash(timeoutMs = 30_000): () => void {
	let stop = () => {};
	const run = () => {
		stop();
		const id = FRAGMENT.exec(location.hash)?.[1];
		if (!id) return;
		const find = () => document.getElementById(`decision-${id}`);
		let observer: MutationObserver | null = null;
		let resize: ResizeObserver | null = null;
		let timer: ReturnType<typeof setTimeout> | undefined;
		const userMoved = () => cleanup();
		const cleanup = () => {
			observer?.disconnect();
			resize?.disconnect();
			clearTimeout(timer);
			for (const type of ['wheel', 'touchstart', 'keydown'] as const) window.removeEventListener(type, userMoved);
		};
		stop = cleanup;
		const reveal = (el: HTMLElement) => {
			observer?.disconnect();
			el.scrollIntoView({ block: 'center' });
			flash(el);
			for (const type of ['wheel', 'touchstart', 'keydown'] as const) window.addEventListener(type, userMoved, { passive: true });
			if (typeof ResizeObserver !== 'undefined') {
				resize = new ResizeObserver(() => el.isConnected && el.scrollIntoView({ block: 'center' }));
				resize.observe(document.body);
			}
			clearTimeout(timer);
			timer = setTimeout(cleanup, FOLLOW_MS);
		};
		const present = find();
		if (present) return reveal(present);
		observer = new MutationObserver(() => {
			const el = find();
			if (el) reveal(el);
		});
		observer.observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['id'] });
		timer = setTimeout(cleanup, timeoutMs);
	};
	run();
	window.addEventListener('hashchange', run);
	return () => {
		window.removeEventListener('hashchange', run);
		stop();
	};
}
