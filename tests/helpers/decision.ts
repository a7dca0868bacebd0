import * as Y from 'yjs';
import { expect } from 'vitest';
import { MINUTES_FIELD, minutesDocName } from '../../src/lib/docs/minutes';
import { connect, waitAcked, waitSynced } from './provider';

/** A JSON API call with a bearer token: status and body. */
export async function apiCall(http: string, method: string, pathname: string, token: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
	const res = await fetch(`${http}${pathname}`, {
		method,
		headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body)
	});
	return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/**
 * A finalized meeting with one decision for `unitId`, as the convener makes it: the meeting
 * created and moved through the API, the decision written through a real collaboration provider.
 * Returns the meeting's id.
 */
export async function decideFor(
	server: { http: string; ws: string },
	convener: string,
	input: { committeeId: string; unitId: string; title: string; text: string; startsAt: string; dueDate: string }
): Promise<string> {
	const call = (method: string, pathname: string, body?: unknown) => apiCall(server.http, method, pathname, convener, body);
	const created = await call('POST', `/api/v1/committees/${input.committeeId}/meetings`, { title: input.title, kind: 'special', startsAt: input.startsAt });
	expect(created.status, JSON.stringify(created.json)).toBe(201);
	const meetingId = created.json.id as string;
	expect((await call('POST', `/api/v1/meetings/${meetingId}/transitions`, { transition: 'start' })).status).toBe(200);
	const writer = connect(server.ws, minutesDocName(meetingId), convener);
	try {
		await waitSynced(writer);
		const decision = new Y.XmlElement('decision');
		decision.setAttribute('id', crypto.randomUUID());
		decision.setAttribute('units', input.unitId);
		decision.setAttribute('dueDate', input.dueDate);
		decision.setAttribute('proposalId', '');
		const paragraph = new Y.XmlElement('paragraph');
		paragraph.insert(0, [new Y.XmlText(input.text)]);
		decision.insert(0, [paragraph]);
		writer.doc.getXmlFragment(MINUTES_FIELD).push([decision]);
		await waitAcked(writer);
	} finally {
		writer.destroy();
	}
	expect((await call('POST', `/api/v1/meetings/${meetingId}/transitions`, { transition: 'review' })).status).toBe(200);
	const final = await call('POST', `/api/v1/meetings/${meetingId}/transitions`, { transition: 'finalize', override: '测试：跳过确认' });
	expect(final.status, JSON.stringify(final.json)).toBe(200);
	return meetingId;
}
