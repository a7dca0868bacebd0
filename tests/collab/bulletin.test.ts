import { yXmlFragmentToProsemirrorJSON } from '@tiptap/y-tiptap';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { BULLETIN_FIELD } from '../../src/lib/docs/bulletin';
import { draftBulletin, freezeBulletin } from '../../src/lib/server/bulletin';
import { getCommittee } from '../../src/lib/server/committee';
import { readDocument } from '../../src/lib/server/liveEdit';
import { plainText, type PmJson } from '../../src/lib/server/minutes';
import { useCollabSite } from '../helpers/collabSite';
import { waitAcked, waitFor, waitSynced } from '../helpers/provider';

/*
 * A bulletin over the WebSocket: drafted by the server into the live document, written by its
 * convener, read-only for members, closed to outsiders; frozen, it takes nobody's writes. A
 * district bulletin is the administrators' alone.
 */
const site = useCollabSite();
const client = (token: string, name: string) => site.client(token, name);
const TODAY = '2026-11-28';

const text = (doc: Y.Doc) => plainText(yXmlFragmentToProsemirrorJSON(doc.getXmlFragment(BULLETIN_FIELD)) as PmJson);
const stored = (name: string) => readDocument(site.database.db, name, (doc) => text(doc));
/** The last paragraph's text, where a person would write. */
function lastParagraph(doc: Y.Doc): Y.XmlText {
	const blocks = doc.getXmlFragment(BULLETIN_FIELD).toArray() as Y.XmlElement[];
	const paragraph = blocks.filter((b) => b.nodeName === 'paragraph').pop()!;
	if (paragraph.length === 0) paragraph.insert(0, [new Y.XmlText('')]);
	return paragraph.get(0) as Y.XmlText;
}

describe('bulletins over the WebSocket', () => {
	it('the convener writes into the drafted document, members read, outsiders are refused; frozen, it takes no writes', async () => {
		const convener = { id: site.fx.people.convener.id, isAdmin: false };
		const row = await draftBulletin(site.database.db, convener, { scopeId: site.fx.committeeId, year: 2026, quarter: 4 }, TODAY);
		const writer = client(site.fx.people.convener.token, row.docName);
		await waitSynced(writer);
		expect(writer.provider.authorizedScope).toBe('read-write');
		expect(text(writer.doc)).toContain('季度共建项目督查通报');
		lastParagraph(writer.doc).insert(0, '下一步：各单位于月底前补报进展。');
		await waitAcked(writer);
		expect(await stored(row.docName)).toContain('下一步：各单位于月底前补报进展。');

		const member = client(site.fx.people.member.token, row.docName);
		await waitSynced(member);
		expect(member.provider.authorizedScope).toBe('readonly');
		const outsider = client(site.fx.people.outsider.token, row.docName);
		await waitFor(() => outsider.refusals.length > 0, 'outsider refused');

		// The writer stays connected while the bulletin freezes: its next edit is refused.
		const before = await stored(row.docName);
		const ref = await freezeBulletin(site.database.db, convener, row.id);
		expect(ref.label).toBe('督查通报〔2026〕第1号');
		lastParagraph(writer.doc).insert(0, '篡改');
		await new Promise((r) => setTimeout(r, 500));
		expect(await stored(row.docName)).toBe(before);
		const late = client(site.fx.people.convener.token, row.docName);
		await waitSynced(late);
		expect(late.provider.authorizedScope).toBe('readonly');
		expect(text(late.doc)).toBe(before);
	});

	it('a district bulletin opens for administrators only', async () => {
		const districtId = (await getCommittee(site.database.db, site.fx.committeeId))!.districtId;
		const row = await draftBulletin(site.database.db, { id: site.fx.people.admin.id, isAdmin: true }, { scopeId: districtId, year: 2026, quarter: 4 }, TODAY);
		const admin = client(site.fx.people.admin.token, row.docName);
		await waitSynced(admin);
		expect(admin.provider.authorizedScope).toBe('read-write');
		expect(text(admin.doc)).toContain('各委员会推进情况');
		const convener = client(site.fx.people.convener.token, row.docName);
		await waitFor(() => convener.refusals.length > 0, 'convener refused');
		// A bulletin that was never drafted does not exist.
		const nowhere = client(site.fx.people.admin.token, `bulletin/${districtId}/2026-Q1`);
		await waitFor(() => nowhere.refusals.length > 0, 'undrafted bulletin refused');
	});
});
