import { and, eq, isNotNull, max, sql } from 'drizzle-orm';
import type { CommitteeRole } from '../domain/roles';
import { agendaDocName } from '../docs/agenda';
import { minutesDocName, minutesSchema } from '../docs/minutes';
import { recordAudit } from './audit';
import { collabControl } from './collabControl';
import { addFences, removeFences } from './docFence';
import type { Db, Tx } from './db';
import { freezeMinutesRecord, type RecordRef } from './record';
import { committees, decisions as decisionsTable, meetings, memberships, minutesFinalizations, type MeetingState } from './db/schema';
import { checkProposals, checkUnits, extractDecisions, type DecisionProblem } from './decision';
import { markProposalsApproved, proposalRows } from './proposal';
import { canonicalJson, readStoredMinutes, sha256Hex } from './minutes';
import { syncProjectItems } from './projectItem';
import { roleOf } from './committee';
import { parseUnits } from '../docs/decision';
import { isUuid } from './meeting';
import { captureStateVersions } from './docVersion';
import { notifyReview } from './notificationEvents';
import { confirmationStatus } from './confirmation';

/*
 * The meeting lifecycle: 筹备 scheduled → 进行中 in_progress → 纪要审阅 review → 定稿 finalized,
 * and a reopen (finalized → review) with a written reason. Finalizing freezes the minutes,
 * projects their decision blocks into rows and project items and stores the content with its
 * hash — all in one transaction.
 */

export const TRANSITIONS = ['start', 'review', 'finalize', 'reopen'] as const;
export type Transition = (typeof TRANSITIONS)[number];

interface Rule {
	from: MeetingState[];
	to: MeetingState;
	roles: CommitteeRole[];
}

const RULES: Record<Transition, Rule> = {
	start: { from: ['scheduled'], to: 'in_progress', roles: ['convener', 'recorder'] },
	review: { from: ['in_progress'], to: 'review', roles: ['convener', 'recorder'] },
	finalize: { from: ['review'], to: 'finalized', roles: ['convener'] },
	reopen: { from: ['finalized'], to: 'review', roles: ['convener'] }
};

export const REASON_MAX = 500;

export function isTransition(value: string): value is Transition {
	return (TRANSITIONS as readonly string[]).includes(value);
}

/** Which transitions a person may make from a state (for the buttons a page shows). */
export function allowedTransitions(state: MeetingState, role: CommitteeRole | null, isAdmin: boolean): Transition[] {
	return TRANSITIONS.filter((t) => RULES[t].from.includes(state) && (isAdmin || (role !== null && RULES[t].roles.includes(role))));
}

export class LifecycleError extends Error {
	constructor(
		readonly key:
			| 'lifecycle.notFound'
			| 'lifecycle.notAllowed'
			| 'lifecycle.wrongState'
			| 'lifecycle.reasonRequired'
			| 'lifecycle.reasonTooLong'
			| 'lifecycle.invalidMinutes'
			| 'lifecycle.emptyMinutes'
			| 'lifecycle.decisionsInvalid'
			| 'lifecycle.notAllConfirmed'
			| 'lifecycle.overrideTooLong',
		readonly problems: DecisionProblem[] = [],
		readonly detail = '',
		/** For notAllConfirmed: the parties that have not confirmed the minutes. */
		readonly unconfirmed: { kind: 'unit' | 'member'; name: string; status: 'objected' | 'none'; reason: string }[] = []
	) {
		super(`${key}${detail ? `: ${detail}` : ''}${problems.length ? ` (${problems.map((p) => `#${p.position} ${p.key}`).join(', ')})` : ''}`);
		this.name = 'LifecycleError';
	}
}

export interface TransitionResult {
	state: MeetingState;
	finalization?: { version: number; sha256: string; decisions: number; created: number; updated: number; withdrawn: number; record: RecordRef };
}

async function lockMeeting(tx: Tx, meetingId: string) {
	// Serialises concurrent transitions of one meeting (two conveners pressing "finalize").
	await tx.execute(sql`select id from ${meetings} where ${meetings.id} = ${meetingId} for update`);
	const [meeting] = await tx
		.select({ id: meetings.id, state: meetings.state, committeeId: meetings.committeeId, committeeKind: committees.kind })
		.from(meetings)
		.innerJoin(committees, eq(committees.id, meetings.committeeId))
		.where(eq(meetings.id, meetingId));
	return meeting ?? null;
}

async function memberUnitIds(tx: Tx, committeeId: string): Promise<Set<string>> {
	const rows = await tx
		.selectDistinct({ unitId: memberships.unitId })
		.from(memberships)
		.where(and(eq(memberships.committeeId, committeeId), isNotNull(memberships.unitId)));
	return new Set(rows.map((r) => r.unitId!));
}

async function stillFinalized(db: Db, meetingId: string): Promise<boolean> {
	try {
		const [row] = await db.select({ state: meetings.state }).from(meetings).where(eq(meetings.id, meetingId));
		return row?.state === 'finalized';
	} catch (err) {
		// Unknown: keep the documents frozen (safe) and say so.
		console.error(`[lifecycle] could not read the state of ${meetingId} after a failed finalization; its documents stay frozen:`, err);
		return true;
	}
}

export async function transitionMeeting(
	db: Db,
	input: {
		meetingId: string;
		transition: Transition;
		actor: { id: string; isAdmin: boolean };
		reason?: string;
		/** Finalize although not every party confirmed the minutes: the written reason, audited. */
		override?: string;
	}
): Promise<TransitionResult> {
	const rule = RULES[input.transition];
	if (!isUuid(input.meetingId)) throw new LifecycleError('lifecycle.notFound');
	const reason = (input.reason ?? '').trim();
	if (input.transition === 'reopen' && !reason) throw new LifecycleError('lifecycle.reasonRequired');
	if (reason.length > REASON_MAX) throw new LifecycleError('lifecycle.reasonTooLong');
	const override = (input.override ?? '').trim();
	if (override.length > REASON_MAX) throw new LifecycleError('lifecycle.overrideTooLong');
	const docs = [minutesDocName(input.meetingId), agendaDocName(input.meetingId)];
	const finalizing = input.transition === 'finalize';
	// Refuse new writes and let the ones in flight land before the content is read.
	if (finalizing) await collabControl().freeze(docs);
	let result: TransitionResult;
	let approved: Awaited<ReturnType<typeof syncProjectItems>>['approved'] = [];
	let committeeId = '';
	try {
		result = await db.transaction(async (tx) => {
			const meeting = await lockMeeting(tx, input.meetingId);
			if (!meeting) throw new LifecycleError('lifecycle.notFound');
			committeeId = meeting.committeeId;
			const role = await roleOf(tx, input.actor.id, meeting.committeeId);
			if (!input.actor.isAdmin && (role === null || !rule.roles.includes(role))) throw new LifecycleError('lifecycle.notAllowed');
			if (!rule.from.includes(meeting.state)) throw new LifecycleError('lifecycle.wrongState', [], meeting.state);

			let finalization: TransitionResult['finalization'];
			let overridden: Record<string, unknown> | null = null;
			if (finalizing) {
				// Every unit and standing member confirms, or the convener overrides in writing.
				const confirmations = await confirmationStatus(tx, input.meetingId);
				if (!confirmations.allConfirmed) {
					const unconfirmed = confirmations.parties
						.filter((p) => p.status !== 'confirmed')
						.map((p) => ({ kind: p.kind, name: p.name, status: p.status === 'objected' ? ('objected' as const) : ('none' as const), reason: p.reason }));
					if (!override) throw new LifecycleError('lifecycle.notAllConfirmed', [], unconfirmed.map((p) => p.name).join(', '), unconfirmed);
					overridden = {
						reason: override,
						round: confirmations.round,
						notAnswered: unconfirmed.filter((p) => p.status === 'none').map((p) => ({ kind: p.kind, name: p.name })),
						objected: unconfirmed.filter((p) => p.status === 'objected').map((p) => ({ kind: p.kind, name: p.name, reason: p.reason }))
					};
				}
				const content = await readStoredMinutes(tx, input.meetingId);
				if (!content.content?.length) throw new LifecycleError('lifecycle.emptyMinutes');
				try {
					minutesSchema().nodeFromJSON(content).check();
				} catch (err) {
					throw new LifecycleError('lifecycle.invalidMinutes', [], (err as Error).message);
				}
				const { decisions, problems } = extractDecisions(content);
				problems.push(...checkUnits(decisions, await memberUnitIds(tx, meeting.committeeId)));
				const linked = await proposalRows(tx, meeting.committeeId, [...new Set(decisions.map((d) => d.proposalId).filter(Boolean))]);
				problems.push(...checkProposals(decisions, linked));
				const proposalMap = new Map(linked.map((p) => [p.id, { id: p.id, year: p.year, level: p.level, needIds: p.needIds, resourceIds: p.resourceIds }]));
				if (problems.length > 0) {
					problems.sort((a, b) => a.position - b.position);
					throw new LifecycleError('lifecycle.decisionsInvalid', problems);
				}
				const [{ last } = { last: 0 }] = await tx
					.select({ last: max(minutesFinalizations.version) })
					.from(minutesFinalizations)
					.where(eq(minutesFinalizations.meetingId, input.meetingId));
				const version = (last ?? 0) + 1;
				const sha256 = sha256Hex(canonicalJson(content));
				await tx.insert(minutesFinalizations).values({ meetingId: input.meetingId, version, content, sha256, finalizedBy: input.actor.id });
				// The previous finalization's decisions tell sync which dates and units the minutes changed.
				const previous = new Map(
					(await tx.select({ blockId: decisionsTable.blockId, dueDate: decisionsTable.dueDate, content: decisionsTable.content }).from(decisionsTable).where(eq(decisionsTable.meetingId, input.meetingId))).map(
						(d) => [d.blockId, { dueDate: d.dueDate, unitIds: parseUnits((d.content.attrs as Record<string, unknown> | undefined)?.units) }] as const
					)
				);
				await tx.delete(decisionsTable).where(eq(decisionsTable.meetingId, input.meetingId));
				if (decisions.length > 0) {
					await tx.insert(decisionsTable).values(
						decisions.map((d) => ({
							meetingId: input.meetingId,
							blockId: d.blockId,
							position: d.position,
							text: d.text,
							content: d.content,
							dueDate: d.dueDate
						}))
					);
				}
				const { approved: nowApproved, ...synced } = await syncProjectItems(tx, {
					meetingId: input.meetingId,
					committeeId: meeting.committeeId,
					committeeKind: meeting.committeeKind,
					decisions,
					proposals: proposalMap,
					previous,
					actorId: input.actor.id
				});
				approved = nowApproved;
				const record = await freezeMinutesRecord(tx, {
					meetingId: input.meetingId,
					content,
					decisions,
					confirmations,
					override: overridden ? override : null,
					actorId: input.actor.id
				});
				finalization = { version, sha256, decisions: decisions.length, ...synced, record };
			}

			await tx.update(meetings).set({ state: rule.to }).where(eq(meetings.id, input.meetingId));
			// The fences go with the state they belong to; thaw() below tells the instances.
			if (input.transition === 'reopen') await removeFences(tx, docs);
			if (finalizing) await addFences(tx, docs);
			if (overridden) {
				await recordAudit(tx, { actorId: input.actor.id, action: 'meeting.finalizeOverride', subject: `meeting/${input.meetingId}`, details: overridden });
			}
			await recordAudit(tx, {
				actorId: input.actor.id,
				action: `meeting.${input.transition}`,
				subject: `meeting/${input.meetingId}`,
				details: { from: meeting.state, to: rule.to, ...(reason ? { reason } : {}), ...(finalization ? { version: finalization.version, sha256: finalization.sha256, record: { id: finalization.record.id, number: finalization.record.label, version: finalization.record.version, sha256: finalization.record.sha256 } } : {}) }
			});
			// After the audit row: notifyReview counts it to key this review round.
			if (rule.to === 'review') await notifyReview(tx, input.meetingId);
			return { state: rule.to, finalization };
		});
	} catch (err) {
		// Not when another finalization of the same meeting won meanwhile: its fences must stay.
		if (finalizing && !(await stillFinalized(db, input.meetingId))) {
			await collabControl()
				.thaw(docs)
				.catch((thawErr: unknown) => console.error(`[lifecycle] finalizing ${input.meetingId} failed and its documents could not be thawed (they stay read-only until a reopen or a retried finalization):`, thawErr));
		}
		throw err;
	}
	if (approved.length > 0) {
		try {
			await markProposalsApproved(db, committeeId, approved.map((a) => ({ proposalId: a.id, year: a.year, projectItemId: a.projectItemId, needIds: a.needIds, resourceIds: a.resourceIds })));
		} catch (err) {
			// The finalization stands; the cards' statuses catch up when someone retries from the board.
			console.error(`[lifecycle] finalized ${input.meetingId} but could not update the board's card statuses:`, err);
		}
	}
	if (input.transition === 'reopen') {
		await collabControl()
			.thaw(docs)
			.catch((err: unknown) => console.error(`[lifecycle] reopened ${input.meetingId}, but not every instance may have heard (they re-read fences when their notice listener reconnects):`, err));
	}
	// A version of both documents as they stand at each change of state; the transition stands if this fails.
	await captureStateVersions(db, input.meetingId, rule.to, input.actor.id).catch((err: unknown) => console.error(`[lifecycle] ${input.meetingId} is now ${rule.to} but no version of its documents was captured:`, err));
	// Everyone's rights changed with the state: reconnect them under the new ones.
	collabControl().reconnect(docs);
	return result;
}
