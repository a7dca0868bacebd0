import type { beforeHandleAwarenessPayload, Extension } from '@hocuspocus/server';
import { colorFor } from '../../../src/lib/domain/presence';
import type { CollabContext } from '../context';

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
				user: { id: user.id, name: user.displayName, color: colorFor(user.id), readOnly: data.connection?.readOnly ?? false }
			});
		}
	}
}
