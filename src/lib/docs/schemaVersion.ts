import type { DocKind } from '../domain/permissions';

/*
 * The document schema version this build of the browser code speaks. The provider sends it
 * with every connection (`?schema=<n>` on /collab); the server refuses clients older than a
 * kind's minimum, so a tab loaded before a schema change can never write into a document
 * with node types it does not know — ProseMirror would silently delete them for everyone.
 *
 * Bump CLIENT_SCHEMA_VERSION whenever any document kind's shape changes, and raise that
 * kind's minimum to it.
 */
export const CLIENT_SCHEMA_VERSION = 4;

export const MIN_SCHEMA_VERSION: Record<DocKind, number> = {
	agenda: 1,
	// 2: decision blocks gained `proposalId`; an older editor would drop it when touching a block.
	// 3: the `comment` mark (thread anchors); an older editor would strip it from text it touches.
	// 4: the shared extension list gained `generated` (bulletins); kept in step so one rule holds:
	// every change of the list sends every old editor to reload.
	minutes: 4,
	board: 1,
	// 4: blocks carry `generated` (the part of a bulletin they were generated for); an older
	// editor would strip it and "refresh figures" would no longer find the tables.
	bulletin: 4
};

export const SCHEMA_PARAM = 'schema';
