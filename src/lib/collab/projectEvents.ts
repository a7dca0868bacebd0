import { invalidate } from '$app/navigation';
import { PROJECTS_DEPENDENCY } from './dependencies';

/**
 * Follows "a tracked item changed" for some committees (or all, for administrators) over
 * server-sent events and reloads the page's data when it happens. EventSource reconnects by
 * itself after a network loss, and a reconnection reloads too: changes may have been missed.
 * Returns the function that stops it (for an $effect's cleanup).
 */
export function watchProjects(target: { committees: readonly string[] } | 'all', onChange: () => unknown = () => invalidate(PROJECTS_DEPENDENCY)): () => void {
	if (typeof EventSource === 'undefined') return () => {};
	const params = new URLSearchParams();
	if (target === 'all') params.set('scope', 'all');
	else for (const id of target.committees) params.append('committee', id);
	const source = new EventSource(`/events/projects?${params}`);
	let connectedBefore = false;
	source.addEventListener('ready', () => {
		if (connectedBefore) void onChange();
		connectedBefore = true;
	});
	source.addEventListener('change', () => void onChange());
	return () => source.close();
}
