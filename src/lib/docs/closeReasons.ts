/**
 * Reasons the collaboration server gives when it refuses or closes a connection. The page
 * maps each to a message in the catalogue (`collab.reason.<reason>`).
 */
export const CLOSE_REASONS = {
	unauthenticated: 'unauthenticated',
	forbidden: 'forbidden',
	notFound: 'not-found',
	unknownDocument: 'unknown-document',
	invalidUpdate: 'invalid-update',
	storageUnavailable: 'storage-unavailable',
	shuttingDown: 'shutting-down',
	outdatedClient: 'outdated-client',
	documentFrozen: 'document-frozen',
	accessChanged: 'access-changed',
	forbiddenChange: 'forbidden-change',
	rateLimited: 'rate-limited',
	preAuthLimit: 'pre-auth-limit'
} as const;
export type CloseReason = (typeof CLOSE_REASONS)[keyof typeof CLOSE_REASONS];

/** Application close codes (4000–4999 are free for applications in RFC 6455). */
export const CLOSE_CODES = {
	invalidUpdate: 4400,
	documentFrozen: 4409,
	forbiddenChange: 4403,
	outdatedClient: 4426,
	accessChanged: 4001,
	storageUnavailable: 4503
} as const;
