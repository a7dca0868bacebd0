import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshServerEnv } from '../helpers/serverEnv';
import { apiToken, startServer, type ServerProcess } from '../helpers/serverProcess';

/*
 * Cross-site request forgery probes against every form action and every JSON endpoint that
 * changes something, found by reading src/routes: a signed-in administrator's cookie riding a
 * request from another site (text/plain, an upper-case content type, a form without Origin,
 * multipart) is refused with 403 before any handler runs.
 */

let fresh: Awaited<ReturnType<typeof freshServerEnv>>;
let server: ServerProcess;
let cookie: string;

const ID = '00000000-0000-4000-8000-000000000000';

/** Route directory → a concrete path: [id]-style parameters become a uuid, [year] a year, rest parameters a word. */
function concrete(dir: string): string {
	return (
		'/' +
		dir
			.split(path.sep)
			.filter((part) => part !== '' && !/^\(.*\)$/.test(part))
			.map((part) => (part.startsWith('[...') ? 'x' : part === '[year]' ? '2026' : part === '[period]' ? '2026-Q4' : part === '[token]' ? 'abcdefghijklmnopqrstuvwxyz' : part === '[format]' ? 'pdf' : part.startsWith('[') ? ID : part))
			.join('/')
	);
}

const actionNames = (source: string) => [...source.matchAll(/^\t(\w+): (?:async )?\(/gm)].map((m) => m[1]!);

/**
 * Actions a page takes from a sibling module (`...participationActions`): the names inside that
 * module's exported object, so the opinion and confirmation actions are probed too.
 */
function spreadActions(dir: string, source: string): string[] {
	const names: string[] = [];
	for (const [, spread] of source.matchAll(/^\t\.\.\.(\w+)/gm)) {
		for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== '+page.server.ts')) {
			const text = fs.readFileSync(path.join(dir, file), 'utf8');
			const start = text.indexOf(`export const ${spread} = {`);
			if (start === -1) continue;
			const end = text.indexOf('\n};', start);
			names.push(...actionNames(text.slice(start, end === -1 ? undefined : end)));
		}
	}
	return names;
}

function mutationEndpoints(): { path: string; kind: 'action' | 'endpoint'; actions: string[] }[] {
	const root = path.resolve('src/routes');
	const out: { path: string; kind: 'action' | 'endpoint'; actions: string[] }[] = [];
	const walk = (dir: string) => {
		for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
			const full = path.join(dir, entry.name);
			if (entry.isDirectory()) walk(full);
			else if (entry.name === '+page.server.ts') {
				const source = fs.readFileSync(full, 'utf8');
				if (!/export const actions/.test(source)) continue;
				const names = [...actionNames(source), ...spreadActions(dir, source)];
				out.push({ path: concrete(path.relative(root, dir)), kind: 'action', actions: names.length ? names : ['default'] });
			} else if (entry.name === '+server.ts') {
				// For an endpoint, `actions` are the verbs it answers that change something.
				const verbs = [...fs.readFileSync(full, 'utf8').matchAll(/export const (POST|PUT|PATCH|DELETE)\b/g)].map((m) => m[1]!);
				if (verbs.length) out.push({ path: concrete(path.relative(root, dir)), kind: 'endpoint', actions: verbs });
			}
		}
	};
	walk(root);
	return out;
}

beforeAll(async () => {
	fresh = await freshServerEnv({ SEED: 'demo', ADMIN_PASSWORD: 'csrf-admin' });
	server = await startServer(fresh.env);
	cookie = `gj_session=${await apiToken(server.http, 'admin', 'csrf-admin')}`;
});
afterAll(async () => {
	await server?.kill('SIGTERM');
	await fresh?.cleanup();
});

describe('cross-site request forgery', () => {
	const targets = mutationEndpoints();

	it('finds the routes that change something', () => {
		expect(targets.filter((t) => t.kind === 'action').length).toBeGreaterThanOrEqual(25);
		expect(targets.filter((t) => t.kind === 'endpoint').length).toBeGreaterThanOrEqual(10);
		// The ones the permission matrix singles out, so that a change in how routes are written cannot drop them silently.
		const meeting = targets.find((t) => t.path === `/meetings/${ID}`);
		expect(meeting?.actions).toEqual(expect.arrayContaining(['transition', 'opinionAdd', 'opinionEdit', 'opinionDelete', 'confirm']));
		const endpoints = targets.filter((t) => t.kind === 'endpoint').map((t) => t.path);
		expect(endpoints).toEqual(expect.arrayContaining([`/api/v1/projects/${ID}/transitions`, `/api/v1/projects/${ID}/reports`, `/api/v1/meetings/${ID}/transitions`]));
	});

	const probes: { name: string; headers: Record<string, string>; body: BodyInit }[] = [
		{ name: 'text/plain from another site', headers: { 'content-type': 'text/plain', origin: 'https://evil.example' }, body: 'a=1' },
		{ name: 'upper-case TEXT/PLAIN from another site', headers: { 'content-type': 'TEXT/PLAIN;charset=UTF-8', origin: 'https://evil.example' }, body: 'a=1' },
		{ name: 'a form without Origin', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' },
		{ name: 'multipart from another site', headers: { 'content-type': 'multipart/form-data; boundary=x' }, body: '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n' }
	];

	for (const probe of probes) {
		it(`refuses ${probe.name} with 403 on every form action and endpoint`, async () => {
			const accepted: string[] = [];
			for (const target of targets) {
				const requests =
					target.kind === 'action' ? target.actions.map((a) => ({ url: `${target.path}${a === 'default' ? '' : `?/${a}`}`, method: 'POST' })) : target.actions.map((method) => ({ url: target.path, method }));
				for (const { url, method } of requests) {
					const headers = { ...probe.headers, cookie, ...(probe.name.startsWith('multipart') ? { origin: 'https://evil.example' } : {}) };
					const res = await fetch(`${server.http}${url}`, { method, headers, body: probe.body, redirect: 'manual' });
					if (res.status !== 403) accepted.push(`${method} ${url} → ${res.status}`);
				}
			}
			expect(accepted).toEqual([]);
		});
	}

	it('the same form from the site itself gets through to the action', async () => {
		const res = await fetch(`${server.http}/bulletins?/draft`, {
			method: 'POST',
			headers: { cookie, origin: server.http, 'content-type': 'application/x-www-form-urlencoded' },
			body: 'scope=bad&year=2026&quarter=4',
			redirect: 'manual'
		});
		// Refused by the action itself (no such scope), not by the forgery check.
		expect(res.status).not.toBe(403);
		expect(await res.text()).toContain('bulletin.error.notFound');
	});
});
