import type { beforeSyncPayload, Extension } from '@hocuspocus/server';
import { CLOSE_CODES, CLOSE_REASONS } from '../../../src/lib/docs/closeReasons';
import { parseDocName } from '../../../src/lib/docs/names';
import { checkBoardUpdate } from '../../../src/lib/server/boardRules';
import { Refusal, type CollabContext } from '../context';

const SYNC_STEP_2 = 1;
const SYNC_UPDATE = 2;

/** Refuses board updates that break the per-unit rules (before they are stored or applied). */
export class BoardRules implements Extension {
	extensionName = 'boardRules';
	// After the lifecycle lock, before persistence.
	priority = 550;

	async beforeSync(data: beforeSyncPayload<CollabContext>): Promise<void> {
		if (data.type !== SYNC_STEP_2 && data.type !== SYNC_UPDATE) return;
		if (data.connection.readOnly || parseDocName(data.documentName)?.kind !== 'board') return;
		const who = { role: data.context.role ?? null, unitId: data.context.unitId ?? null };
		let check;
		try {
			check = checkBoardUpdate(data.document, data.payload, who);
		} catch (err) {
			// An update that breaks a scratch copy is malformed; persistence would refuse it too.
			check = { ok: false as const, reason: (err as Error).message };
		}
		if (!check.ok) {
			console.error(`[boardRules] refused an update to ${data.documentName} from ${data.context.user?.username ?? 'unknown'}: ${check.reason}`);
			throw new Refusal(CLOSE_REASONS.forbiddenChange, CLOSE_CODES.forbiddenChange);
		}
	}
}
