import type { beforeHandleAwarenessPayload, Extension } from '@hocuspocus/server';
import type { CollabContext } from '../context';

const COLOURS = ['#b91c1c', '#1d4ed8', '#047857', '#7c3aed', '#c2410c', '#0e7490', '#be185d', '#4d7c0f'];

export function colourFor(userId: string): string {
	let h = 0;
	for (const ch of userId) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
	return COLOURS[h % COLOURS.length]!;
}

/**
 * Presence shows who is in a document. A client could claim any name in its awareness
 * state, so the server overwrites the `user` field with the authenticated person.
 */
export class Presence implements Extension {
	extensionName = 'presence';

	async beforeHandleAwareness(data: beforeHandleAwarenessPayload<CollabContext>): Promise<void> {
		const user = data.context?.user;
		if (!user) return;
		for (const [clientId, state] of data.states) {
			if (!state || typeof state !== 'object') continue;
			data.states.set(clientId, {
				...state,
				user: { id: user.id, name: user.displayName, colour: colourFor(user.id), readOnly: data.connection?.readOnly ?? false }
			});
		}
	}
}
