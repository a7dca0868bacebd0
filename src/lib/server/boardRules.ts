import * as Y from 'yjs';
import { readResources, resourcesMap, touchedCards } from '../docs/board';
import type { CommitteeRole } from '../domain/roles';
import { SCRATCH_DOC } from './yjsUpdate';

export type BoardCheck = { ok: true } | { ok: false; reason: string };

/**
 * Write rules inside a board that the permission matrix cannot express: a part-time member
 * (兼职委员) adds and edits resources only for the unit they represent. The update is applied
 * to a scratch copy of the current document to see which cards it touches and what they
 * look like before and after; the live document is not touched.
 */
export function checkBoardUpdate(current: Y.Doc, update: Uint8Array, who: { role: CommitteeRole | null; unitId: string | null }): BoardCheck {
	if (who.role !== 'part_time') return { ok: true };
	const scratch = new Y.Doc(SCRATCH_DOC);
	try {
		Y.applyUpdate(scratch, Y.encodeStateAsUpdate(current));
		const unitBefore = new Map(readResources(scratch).map((r) => [r.id, r.unitId]));
		const touched = touchedCards(scratch, () => Y.applyUpdate(scratch, update));
		const after = resourcesMap(scratch);
		for (const id of touched.resources) {
			const before = unitBefore.get(id);
			if (before !== undefined && before !== who.unitId) return { ok: false, reason: `resource ${id} belongs to another unit` };
			const card = after.get(id);
			if (card instanceof Y.Map && card.get('unitId') !== who.unitId) return { ok: false, reason: `resource ${id} would belong to another unit` };
			if (!(card instanceof Y.Map) && before !== who.unitId) return { ok: false, reason: `resource ${id} removed` };
		}
		return { ok: true };
	} finally {
		scratch.destroy();
	}
}
