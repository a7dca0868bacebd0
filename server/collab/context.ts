import type { LocalTransactionOrigin } from '@hocuspocus/server';
import type { Access } from '../../src/lib/domain/permissions';
import type { SessionUser } from '../../src/lib/server/auth/session';
import type { CommitteeRole } from '../../src/lib/domain/roles';

/** Per-connection context, filled in by the upgrade handler and onAuthenticate. */
export interface CollabContext {
	/** Set at upgrade: the request carried an allowed Origin, so its cookie may be trusted. */
	cookieAllowed: boolean;
	/** Set at upgrade: lifts the connection's pre-authentication cap once a document authenticated. */
	authenticated?: () => void;
	user?: SessionUser;
	access?: Access;
	/** The person's seat in the document's committee (null for administrators outside it). */
	role?: CommitteeRole | null;
	/** The unit a part-time member represents in that committee. */
	unitId?: string | null;
}

/** What Hocuspocus expects a hook to throw to refuse with a reason the provider receives. */
export class Refusal extends Error {
	constructor(
		readonly reason: string,
		readonly code = 4403
	) {
		super(reason);
		this.name = 'Refusal';
	}
}

/**
 * The origin of a change that server code applies to a live document after writing it to the
 * update log itself (applyServerChange, the minutes template): persistence lets the shadow
 * follow it but does not log it again.
 */
export const ALREADY_STORED: LocalTransactionOrigin = { source: 'local', context: {} };
