import * as Y from 'yjs';
import { boardDocName, needsMap, readNeeds, readResources, resourcesMap, setCardValue } from '../docs/board';
import { recordAudit } from './audit';
import { roleOf } from './committee';
import type { DbOrTx } from './db';
import { captureVersion, docFromV2, LABEL_BEFORE_RESTORE, VersionError, versionState, type CaptureResult } from './docVersion';
import { editDocument } from './liveEdit';

/*
 * Restoring a board year to an earlier version: its needs and resources cards become what they
 * were, as a new edit through the live document (connected people see it at once), between a
 * version of the state before and the restored one. Cards added since are archived, not
 * deleted (a board never loses a card). Proposals are left as they are: they may have been put
 * on an agenda or approved since, which lives in the records, not in the board.
 */

export async function canRestoreBoard(db: DbOrTx, committeeId: string, actor: { id: string; isAdmin: boolean }): Promise<boolean> {
	if (actor.isAdmin) return true;
	const role = await roleOf(db, actor.id, committeeId);
	return role === 'convener' || role === 'recorder';
}

export async function restoreBoardVersion(
	db: DbOrTx,
	input: { committeeId: string; year: number; versionId: number; actor: { id: string; isAdmin: boolean } }
): Promise<CaptureResult> {
	if (!(await canRestoreBoard(db, input.committeeId, input.actor))) throw new VersionError('version.notAllowed');
	const name = boardDocName(input.committeeId, input.year);
	const state = await versionState(db, name, input.versionId);
	if (!state) throw new VersionError('version.notFound');
	await captureVersion(db, name, { reason: 'auto', label: LABEL_BEFORE_RESTORE, createdBy: input.actor.id });
	const old = docFromV2(state);
	try {
		await editDocument(db, name, (doc) => {
			doc.transact(() => {
				for (const [mapOf, read] of [
					[needsMap, readNeeds],
					[resourcesMap, readResources]
				] as const) {
					const wanted = mapOf(old);
					const live = mapOf(doc);
					const before = new Map(read(old).map((c) => [c.id, JSON.stringify(c)]));
					const now = new Map(read(doc).map((c) => [c.id, JSON.stringify(c)]));
					live.forEach((card, id) => {
						if (!wanted.has(id) && card instanceof Y.Map) setCardValue(card, 'archived', true);
					});
					wanted.forEach((card, id) => {
						if (!(card instanceof Y.Map) || now.get(id) === before.get(id)) return;
						live.set(id, card.clone());
					});
				}
			});
		});
	} finally {
		old.destroy();
	}
	const restored = await captureVersion(db, name, { reason: 'restore', label: `#${input.versionId}`, createdBy: input.actor.id });
	await recordAudit(db, { actorId: input.actor.id, action: 'version.restore', subject: `committee/${input.committeeId}`, details: { doc: name, restored: input.versionId, version: restored.id } });
	return restored;
}
