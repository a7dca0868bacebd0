import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/lib/server/config';

describe('configuration', () => {
	it('has working defaults: embedded database, demo data, 127.0.0.1:3000', () => {
		const c = loadConfig({});
		expect(c).toMatchObject({ port: 3000, host: '127.0.0.1', databaseUrl: null, origin: null, adminPassword: null, seed: 'demo', secureCookies: false });
		expect(c.dataDir).toBe(path.resolve('./data'));
	});

	it('does not seed demo data into PostgreSQL unless asked', () => {
		expect(loadConfig({ DATABASE_URL: 'postgres://u@h/db' }).seed).toBe('none');
		expect(loadConfig({ DATABASE_URL: 'postgres://u@h/db', SEED: 'demo' }).seed).toBe('demo');
	});

	it('marks cookies Secure behind an https ORIGIN', () => {
		const c = loadConfig({ ORIGIN: 'https://gongjian.example.org' });
		expect(c.origin).toBe('https://gongjian.example.org');
		expect(c.secureCookies).toBe(true);
	});

	it('logs JSON lines for a log collector and plain text on a terminal, unless LOG_FORMAT says', () => {
		expect(loadConfig({}, false).logFormat).toBe('json');
		expect(loadConfig({}, true).logFormat).toBe('text');
		expect(loadConfig({ LOG_FORMAT: 'json' }, true).logFormat).toBe('json');
		expect(loadConfig({ LOG_FORMAT: 'text' }, false).logFormat).toBe('text');
	});

	const bad: [Record<string, string>, string][] = [
		[{ LOG_FORMAT: 'xml' }, 'LOG_FORMAT'],
		[{ PORT: 'abc' }, 'PORT'],
		[{ PORT: '70000' }, 'PORT'],
		[{ PORT: '-1' }, 'PORT'],
		[{ HOST: 'a b' }, 'HOST'],
		[{ DATABASE_URL: 'mysql://x@y/z' }, 'DATABASE_URL'],
		[{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
		[{ ORIGIN: 'example.org' }, 'ORIGIN'],
		[{ ORIGIN: 'https://example.org/app' }, 'ORIGIN'],
		[{ ORIGIN: 'ftp://example.org' }, 'ORIGIN'],
		[{ ADMIN_PASSWORD: 'short' }, 'ADMIN_PASSWORD'],
		[{ SEED: 'lots' }, 'SEED'],
		[{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL'],
		[{ REDIS_URL: 'http://localhost:6379' }, 'REDIS_URL'],
		[{ REDIS_URL: 'redis://localhost:6379/cache' }, 'REDIS_URL'],
		[{ REDIS_URL: 'not a url' }, 'REDIS_URL'],
		[{ COMPACT_AFTER_MS: '5s' }, 'COMPACT_AFTER_MS'],
		[{ COMPACT_AFTER_MS: '10' }, 'COMPACT_AFTER_MS']
	];
	for (const [env, variable] of bad) {
		it(`refuses ${JSON.stringify(env)} naming ${variable}`, () => {
			let caught: unknown;
			try {
				loadConfig(env);
			} catch (err) {
				caught = err;
			}
			expect(caught).toBeInstanceOf(ConfigError);
			expect((caught as ConfigError).variable).toBe(variable);
			expect((caught as Error).message).toMatch(new RegExp(`^${variable}: `));
		});
	}

	it('reads REDIS_URL and COMPACT_AFTER_MS, with defaults', () => {
		expect(loadConfig({}).redisUrl).toBeNull();
		expect(loadConfig({}).compactAfterMs).toBe(5_000);
		expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6380/2' }).redisUrl).toBe('redis://127.0.0.1:6380/2');
		expect(loadConfig({ REDIS_URL: 'rediss://:secret@redis.example.org:6380' }).redisUrl).toBe('rediss://:secret@redis.example.org:6380');
		expect(loadConfig({ COMPACT_AFTER_MS: '250' }).compactAfterMs).toBe(250);
	});

	it('keeps memory:// as an in-memory database marker', () => {
		expect(loadConfig({ DATA_DIR: 'memory://' }).dataDir).toBe('memory://');
	});
});
