import { and, desc, eq } from 'drizzle-orm';
import { round2 } from '../domain/evaluation';
import { RECORD_FORMAT, recordNumberLabel, type PmNode, type RecordBody } from '../domain/record';
import { recordAudit } from './audit';
import type { SessionUser } from './auth/session';
import { getCommittee } from './committee';
import type { Db, DbOrTx } from './db';
import { records, users } from './db/schema';
import { EvaluationError, evaluationResults, mayManageEvaluations, type EvaluationResults } from './evaluation';
import { nextRecordNumber, writeRecord, type RecordRef } from './record';

/*
 * The year-end evaluation report (述职评议结果报告): a closed round's results frozen into the
 * record in the evaluation series (述职评议〔2026〕第1号), exported like minutes, for the units'
 * annual party-building assessment. Freezing it again (after more scores) is a new version.
 */

const text = (value: string): PmNode[] => (value ? [{ type: 'text', text: value }] : []);
const paragraph = (value: string): PmNode => ({ type: 'paragraph', content: text(value) });
const heading = (level: number, value: string): PmNode => ({ type: 'heading', attrs: { level }, content: text(value) });
const cell = (value: string, header: boolean): PmNode => ({ type: header ? 'tableHeader' : 'tableCell', content: [paragraph(value)] });
const table = (head: string[], rows: string[][]): PmNode => ({
	type: 'table',
	content: [{ type: 'tableRow', content: head.map((h) => cell(h, true)) }, ...rows.map((r) => ({ type: 'tableRow', content: r.map((v) => cell(v, false)) }))]
});
const score = (v: number | null): string => (v === null ? '—' : String(round2(v)));

export function evaluationReportTitle(r: EvaluationResults): string {
	return `${r.round.committeeName}${r.round.year}年度共建项目述职评议结果报告`;
}

/** The report's text: how the scoring went, the projects' scores, the units' ranking, the comments. */
export function evaluationReportContent(r: EvaluationResults): PmNode {
	const content: PmNode[] = [
		heading(1, evaluationReportTitle(r)),
		paragraph(
			`${r.round.title}：共评议项目${r.projects.length}个，收到评分${r.totals.scores}份（其中扫码评分${r.totals.scores - r.totals.memberScores}份，发放评分链接${r.totals.links}个、使用${r.totals.linksUsed}个；委员评分${r.totals.memberScores}份）。` +
				`评分标准：${r.criteria.map((c) => `${c.label}（${c.max}分）`).join('、')}，满分${r.maxTotal}分。`
		),
		heading(2, '一、项目得分'),
		table(
			['项目', '责任单位', '评分份数', ...r.criteria.map((c) => c.label), '平均总分'],
			r.projects.map((p) => [p.title, p.units.map((u) => u.name).join('、'), String(p.count), ...p.means.map(score), score(p.meanTotal)])
		),
		heading(2, '二、单位排名'),
		r.units.length === 0 ? paragraph('暂无单位得分。') : table(['名次', '单位', '项目数', '平均分'], r.units.map((u) => [u.rank === null ? '—' : String(u.rank), u.unitName, String(u.projectCount), score(u.average)]))
	];
	const commented = r.projects.filter((p) => p.comments.length > 0);
	content.push(heading(2, '三、群众意见'));
	if (commented.length === 0) content.push(paragraph('本次评议未收到书面意见。'));
	for (const p of commented) {
		content.push(heading(3, p.title));
		content.push({ type: 'bulletList', content: p.comments.map((c) => ({ type: 'listItem', content: [paragraph(c)] })) });
	}
	return { type: 'doc', content };
}

/** Freezes a closed round's results into the record; the convener, recorder or an administrator. */
export async function freezeEvaluationReport(db: Db, actor: Pick<SessionUser, 'id' | 'isAdmin'>, roundId: string): Promise<RecordRef> {
	const results = await evaluationResults(db, roundId);
	if (!results) throw new EvaluationError('evaluation.error.notFound');
	if (!(await mayManageEvaluations(db, actor, results.round.committeeId))) throw new EvaluationError('evaluation.error.notAllowed');
	if (results.round.phase !== 'closed') throw new EvaluationError('evaluation.error.reportWhileOpen');
	const committee = await getCommittee(db, results.round.committeeId);
	if (!committee) throw new EvaluationError('evaluation.error.notFound');
	return db.transaction(async (tx) => {
		const number = await nextRecordNumber(tx, { scopeId: committee.id, kind: 'evaluation', year: results.round.year, subjectId: results.round.id });
		const [who] = await tx.select({ name: users.displayName }).from(users).where(eq(users.id, actor.id));
		const body: RecordBody = {
			format: RECORD_FORMAT,
			kind: 'evaluation',
			...number,
			committee: { id: committee.id, name: committee.name, kind: committee.kind },
			meeting: { id: results.round.id, title: results.round.title, kind: 'regular', startsAt: results.round.closesAt, place: '' },
			attendance: null,
			content: evaluationReportContent(results),
			decisions: [],
			opinions: [],
			confirmations: [],
			override: null,
			finalizedBy: who?.name ?? '',
			finalizedAt: new Date().toISOString()
		};
		const ref = await writeRecord(tx, { scopeId: committee.id, districtId: committee.districtId, committeeId: committee.id, meetingId: null, subjectId: results.round.id, title: evaluationReportTitle(results), body });
		await recordAudit(tx, { actorId: actor.id, action: 'evaluation.reported', subject: `evaluation/${results.round.id}`, details: { record: ref.id, year: ref.year, seq: ref.seq, version: ref.version, sha256: ref.sha256 } });
		return ref;
	});
}

/** The reports a round was frozen into, newest version first. */
export async function evaluationReports(db: DbOrTx, roundId: string): Promise<{ id: string; version: number; label: string }[]> {
	const rows = await db
		.select({ id: records.id, version: records.version, seq: records.seq, year: records.year })
		.from(records)
		.where(and(eq(records.subjectId, roundId), eq(records.kind, 'evaluation')))
		.orderBy(desc(records.version));
	return rows.map((r) => ({ id: r.id, version: r.version, label: recordNumberLabel(r.year, r.seq, 'evaluation') }));
}
