import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { bridgeConsole, createLogger, loggablePath, logContext, requestId } from '../../src/lib/server/log';

const original = { ...console };
afterEach(() => Object.assign(console, original));

function capture() {
	const lines: Record<string, unknown>[] = [];
	const sink = new Writable({
		write(chunk: Buffer, _enc, done) {
			for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
			done();
		}
	});
	bridgeConsole(createLogger(sink));
	return lines;
}

describe('structured logs', () => {
	it('turns console calls into JSON lines with level, message and the error with its stack', () => {
		const lines = capture();
		console.log('gongjian listening on http://127.0.0.1:%d', 3000);
		console.error('[persistence] could not store an update for minutes/x:', new Error('connection refused', { cause: new Error('ECONNREFUSED') }));
		console.warn('careful');
		expect(lines).toHaveLength(3);
		expect(lines[0]).toMatchObject({ level: 30, msg: 'gongjian listening on http://127.0.0.1:3000' });
		expect(lines[1]).toMatchObject({ level: 50, msg: '[persistence] could not store an update for minutes/x: connection refused' });
		const err = lines[1]!.err as { type: string; message: string; stack: string };
		expect(err.type).toBe('Error');
		expect(err.stack).toMatch(/connection refused\n\s+at /);
		expect(JSON.stringify(err)).toContain('ECONNREFUSED');
		expect(lines[2]).toMatchObject({ level: 40, msg: 'careful' });
		for (const line of lines) expect(typeof line.time).toBe('number');
	});

	it('says which request or connection a line belongs to', async () => {
		const lines = capture();
		await logContext.run({ req: 'r-1' }, async () => {
			await new Promise((r) => setTimeout(r, 1));
			console.error('inside a request');
		});
		logContext.run({ conn: 'c-9' }, () => console.warn('inside a connection'));
		console.log('outside');
		expect(lines[0]).toMatchObject({ req: 'r-1', msg: 'inside a request' });
		expect(lines[1]).toMatchObject({ conn: 'c-9' });
		expect(lines[2]).not.toHaveProperty('req');
		expect(lines[2]).not.toHaveProperty('conn');
	});

	it('keeps a proxy’s request id only when it looks like one, and never logs scoring tokens', () => {
		expect(requestId('abc-123_X.y')).toBe('abc-123_X.y');
		expect(requestId('bad id\nwith newline')).toMatch(/^[A-Za-z0-9_-]{8}$/);
		expect(requestId(undefined)).not.toBe(requestId(undefined));
		expect(loggablePath('/score/SECRETTOKEN?x=1')).toBe('/score/…');
		expect(loggablePath('/meetings/1/minutes?tab=2')).toBe('/meetings/1/minutes');
	});
});
