import path from 'node:path';

/**
 * The one place that reads the process environment. Every value is validated up front so
 * that a typo stops the start with a message naming the variable, instead of surfacing
 * later as a confusing runtime failure.
 */
export interface Config {
	port: number;
	host: string;
	dataDir: string;
	databaseUrl: string | null;
	origin: string | null;
	adminPassword: string | null;
	seed: 'demo' | 'none';
	/** true when served behind https: cookies get `Secure`. */
	secureCookies: boolean;
	/** Minutes of activity between automatic versions of a live document (VERSION_EVERY_MINUTES). */
	versionEveryMinutes: number;
	/** Outgoing email; null: notifications stay in the app and nothing tries to send. */
	mail: MailConfig | null;
	/** LOG_FORMAT: one JSON object per line (default when output is not a terminal) or plain text. */
	logFormat: 'json' | 'text';
	/**
	 * redis:// or rediss:// URL (REDIS_URL); set when several instances serve the same database,
	 * so that every instance relays live document updates to the others.
	 */
	redisUrl: string | null;
	/** Milliseconds of quiet before a live document's update log is compacted (COMPACT_AFTER_MS). */
	compactAfterMs: number;
}

export interface MailConfig {
	/** smtp:// or smtps:// URL with credentials, handed to nodemailer as is. */
	smtpUrl: string;
	/** The From header, e.g. `共建工作台 <noreply@example.org>`. */
	from: string;
}

export class ConfigError extends Error {
	constructor(
		readonly variable: string,
		message: string
	) {
		super(`${variable}: ${message}`);
		this.name = 'ConfigError';
	}
}

type Env = Record<string, string | undefined>;

function nonEmpty(env: Env, name: string): string | null {
	const value = env[name];
	if (value === undefined) return null;
	const trimmed = value.trim();
	return trimmed === '' ? null : trimmed;
}

function parsePort(raw: string | null): number {
	if (raw === null) return 3000;
	if (!/^\d+$/.test(raw)) throw new ConfigError('PORT', `must be a whole number from 0 to 65535, got "${raw}"`);
	const port = Number(raw);
	if (port > 65535) throw new ConfigError('PORT', `must be a whole number from 0 to 65535, got "${raw}"`);
	return port;
}

function parseHost(raw: string | null): string {
	if (raw === null) return '127.0.0.1';
	if (/[\s/]/.test(raw)) throw new ConfigError('HOST', `must be a host name or IP address, got "${raw}"`);
	return raw;
}

function parseDataDir(raw: string | null): string {
	if (raw === null) return path.resolve('./data');
	// memory:// keeps the embedded database in memory; tests use it.
	if (raw === 'memory://') return raw;
	return path.resolve(raw);
}

function parseDatabaseUrl(raw: string | null): string | null {
	if (raw === null) return null;
	let url: URL;
	try {
		url = new URL(raw);
	} catch {
		throw new ConfigError('DATABASE_URL', 'is not a valid URL (expected postgres://user@host:port/database)');
	}
	if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
		throw new ConfigError('DATABASE_URL', `must start with postgres:// or postgresql://, got "${url.protocol}//"`);
	}
	return raw;
}

function parseOrigin(raw: string | null): string | null {
	if (raw === null) return null;
	let url: URL;
	try {
		url = new URL(raw);
	} catch {
		throw new ConfigError('ORIGIN', `is not a valid URL, got "${raw}"`);
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw new ConfigError('ORIGIN', `must be an http:// or https:// URL, got "${raw}"`);
	}
	if (url.pathname !== '/' || url.search || url.hash) {
		throw new ConfigError('ORIGIN', `must be only scheme, host and port (like https://example.org), got "${raw}"`);
	}
	return url.origin;
}

function parseAdminPassword(raw: string | undefined): string | null {
	if (raw === undefined || raw === '') return null;
	if (raw.length < 8) throw new ConfigError('ADMIN_PASSWORD', 'must be at least 8 characters long');
	if (raw.length > 256) throw new ConfigError('ADMIN_PASSWORD', 'must be at most 256 characters long');
	return raw;
}

function parseSeed(raw: string | null, embedded: boolean): 'demo' | 'none' {
	if (raw === null) return embedded ? 'demo' : 'none';
	if (raw === 'demo' || raw === 'none') return raw;
	throw new ConfigError('SEED', `must be "demo" or "none", got "${raw}"`);
}

// Deliberately loose: the mail server is the judge of an address; this catches typos like a missing @.
export const EMAIL_PATTERN = /^[^\s@<>",;]+@[^\s@<>",;]+\.[^\s@<>",;]+$/;

function parseMail(smtpRaw: string | null, fromRaw: string | null): MailConfig | null {
	if (smtpRaw === null) {
		if (fromRaw !== null) console.warn('MAIL_FROM is set but SMTP_URL is not: email stays off');
		return null;
	}
	let url: URL;
	try {
		url = new URL(smtpRaw);
	} catch {
		throw new ConfigError('SMTP_URL', 'is not a valid URL (expected smtp://user:password@host:port or smtps://…)');
	}
	if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
		throw new ConfigError('SMTP_URL', `must start with smtp:// or smtps://, got "${url.protocol}//"`);
	}
	if (!url.hostname) throw new ConfigError('SMTP_URL', 'names no host');
	if (fromRaw === null) throw new ConfigError('MAIL_FROM', 'is required when SMTP_URL is set (e.g. "共建工作台 <noreply@example.org>")');
	const address = /<([^<>]*)>\s*$/.exec(fromRaw)?.[1] ?? fromRaw;
	if (!EMAIL_PATTERN.test(address.trim())) throw new ConfigError('MAIL_FROM', `must be an email address, optionally with a name ("Name <a@b.org>"), got "${fromRaw}"`);
	return { smtpUrl: smtpRaw, from: fromRaw };
}

function parseVersionEvery(raw: string | null): number {
	if (raw === null) return 10;
	if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 1440) {
		throw new ConfigError('VERSION_EVERY_MINUTES', `must be a whole number of minutes from 1 to 1440, got "${raw}"`);
	}
	return Number(raw);
}

function parseLogFormat(raw: string | null, terminal: boolean): 'json' | 'text' {
	if (raw === null) return terminal ? 'text' : 'json';
	if (raw === 'json' || raw === 'text') return raw;
	throw new ConfigError('LOG_FORMAT', `must be "json" or "text", got "${raw}"`);
}

function parseRedisUrl(raw: string | null): string | null {
	if (raw === null) return null;
	let url: URL;
	try {
		url = new URL(raw);
	} catch {
		throw new ConfigError('REDIS_URL', `is not a valid URL (expected redis://[:password@]host:port[/db] or rediss://…), got "${raw}"`);
	}
	if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
		throw new ConfigError('REDIS_URL', `must start with redis:// or rediss://, got "${url.protocol}//"`);
	}
	if (!url.hostname) throw new ConfigError('REDIS_URL', 'names no host');
	const db = url.pathname.replace(/^\//, '');
	if (db !== '' && !/^\d{1,2}$/.test(db)) throw new ConfigError('REDIS_URL', `the path must be a database number (like /0), got "/${db}"`);
	return raw;
}

function parseCompactAfter(raw: string | null): number {
	if (raw === null) return 5_000;
	// Below 100 ms every keystroke would compact; above an hour the log grows for nothing.
	if (!/^\d+$/.test(raw) || Number(raw) < 100 || Number(raw) > 3_600_000) {
		throw new ConfigError('COMPACT_AFTER_MS', `must be a whole number of milliseconds from 100 to 3600000, got "${raw}"`);
	}
	return Number(raw);
}

/** `terminal`: whether standard output is a terminal (a person reading) rather than a log collector. */
export function loadConfig(env: Env = process.env, terminal = process.stdout.isTTY === true): Config {
	const databaseUrl = parseDatabaseUrl(nonEmpty(env, 'DATABASE_URL'));
	const origin = parseOrigin(nonEmpty(env, 'ORIGIN'));
	return {
		port: parsePort(nonEmpty(env, 'PORT')),
		host: parseHost(nonEmpty(env, 'HOST')),
		dataDir: parseDataDir(nonEmpty(env, 'DATA_DIR')),
		databaseUrl,
		origin,
		adminPassword: parseAdminPassword(env.ADMIN_PASSWORD),
		seed: parseSeed(nonEmpty(env, 'SEED'), databaseUrl === null),
		versionEveryMinutes: parseVersionEvery(nonEmpty(env, 'VERSION_EVERY_MINUTES')),
		secureCookies: origin?.startsWith('https:') ?? false,
		mail: parseMail(nonEmpty(env, 'SMTP_URL'), nonEmpty(env, 'MAIL_FROM')),
		logFormat: parseLogFormat(nonEmpty(env, 'LOG_FORMAT'), terminal),
		redisUrl: parseRedisUrl(nonEmpty(env, 'REDIS_URL')),
		compactAfterMs: parseCompactAfter(nonEmpty(env, 'COMPACT_AFTER_MS'))
	};
}

let cached: Config | null = null;

/** The process configuration, validated once. */
export function config(): Config {
	cached ??= loadConfig();
	return cached;
}
