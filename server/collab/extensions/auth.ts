import type { Extension, onAuthenticatePayload } from '@hocuspocus/server';
import { atLeast } from '../../../src/lib/domain/permissions';
import { CLOSE_CODES, CLOSE_REASONS } from '../../../src/lib/docs/closeReasons';
import { MIN_SCHEMA_VERSION, SCHEMA_PARAM } from '../../../src/lib/docs/schemaVersion';
import { parseDocName } from '../../../src/lib/docs/names';
import type { Db } from '../../../src/lib/server/db';
import { SESSION_COOKIE } from '../../../src/lib/server/auth/session';
import { resolveSessionDocAccess } from '../../../src/lib/server/docAccess';
import { Refusal, type CollabContext } from '../context';

function cookieValue(header: string | null, name: string): string | null {
	if (!header) return null;
	for (const part of header.split(';')) {
		const eq = part.indexOf('=');
		if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
	}
	return null;
}

/**
 * Who is connecting and what they may do with the document: a bearer token (the provider's
 * `token`) or, for browsers whose Origin was checked at upgrade, the session cookie. Read and
 * comment access is downgraded to a read-only connection; no access is refused.
 */
export class Auth implements Extension {
	extensionName = 'auth';
	priority = 1000;

	constructor(private readonly db: () => Promise<Db>) {}

	async onAuthenticate(data: onAuthenticatePayload<CollabContext>): Promise<Partial<CollabContext>> {
		try {
			return await this.authenticate(data);
		} catch (err) {
			if (err instanceof Refusal) throw err;
			// Not a "no": the answer could not be found out (the database is unreachable). Say so,
			// so the client retries instead of showing a refusal that a reload would not fix.
			console.error(`[auth] could not check access to ${data.documentName}:`, err);
			throw new Refusal(CLOSE_REASONS.storageUnavailable, CLOSE_CODES.storageUnavailable);
		}
	}

	private async authenticate(data: onAuthenticatePayload<CollabContext>): Promise<Partial<CollabContext>> {
		const ref = parseDocName(data.documentName);
		if (!ref) throw new Refusal(CLOSE_REASONS.unknownDocument);
		const schema = Number(data.requestParameters.get(SCHEMA_PARAM) ?? '0');
		if (!Number.isInteger(schema) || schema < MIN_SCHEMA_VERSION[ref.kind]) {
			// An old tab could erase nodes it does not know; it must reload first.
			throw new Refusal(CLOSE_REASONS.outdatedClient, CLOSE_CODES.outdatedClient);
		}
		const db = await this.db();
		const token = data.token || (data.context.cookieAllowed ? cookieValue(data.requestHeaders.get('cookie'), SESSION_COOKIE) : null);
		if (!token) throw new Refusal(CLOSE_REASONS.unauthenticated, 4401);
		const resolved = await resolveSessionDocAccess(db, token, ref);
		if (!resolved) throw new Refusal(CLOSE_REASONS.unauthenticated, 4401);
		const { user, access } = resolved;
		if (!access.found) throw new Refusal(CLOSE_REASONS.notFound, 4404);
		if (access.access === 'none') throw new Refusal(CLOSE_REASONS.forbidden);
		if (!atLeast(access.access, 'write')) data.connectionConfig.readOnly = true;
		data.context.authenticated?.();
		return { user, access: access.access, role: access.role, unitId: access.unitId };
	}
}
