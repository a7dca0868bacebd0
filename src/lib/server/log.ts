import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { format } from 'node:util';
import pino, { type Logger } from 'pino';

/*
 * Structured logs. The production entry sends everything the process prints through one
 * pino logger, as one JSON object per line: level, time, message, the error with its stack,
 * and the id of the HTTP request or WebSocket connection being handled, so an operator can
 * follow one person's failing save through every line it caused.
 *
 * Modules keep calling console.error/warn/log with a message that names what failed; the
 * bridge turns those calls into structured lines. That keeps every module free of a logger
 * parameter, and nothing printed by a library escapes the format either.
 */

export interface LogContext {
	/** HTTP request id (also sent back as X-Request-Id). */
	req?: string;
	/** WebSocket connection id. */
	conn?: string;
}

export const logContext = new AsyncLocalStorage<LogContext>();

/** A short random id, enough to tell requests apart in a day's logs. */
export function newLogId(): string {
	return randomBytes(6).toString('base64url');
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** A request id a proxy (nginx's $request_id) passed on, if it looks like one; otherwise a new one. */
export function requestId(header: string | string[] | undefined): string {
	const value = Array.isArray(header) ? header[0] : header;
	return value && REQUEST_ID.test(value) ? value : newLogId();
}

export function createLogger(destination: pino.DestinationStream = pino.destination({ fd: 1, sync: true })): Logger {
	return pino(
		{
			base: { pid: process.pid },
			// Each line says which request or connection it belongs to, when there is one.
			mixin: () => ({ ...logContext.getStore() }),
			serializers: { err: pino.stdSerializers.err }
		},
		destination
	);
}

type ConsoleMethod = 'log' | 'info' | 'warn' | 'error' | 'debug';
const LEVEL: Record<ConsoleMethod, 'info' | 'warn' | 'error' | 'debug'> = { log: 'info', info: 'info', warn: 'warn', error: 'error', debug: 'debug' };

/**
 * Routes console.* through the logger. The message is what console would have printed
 * (util.format of the arguments); an Error among the arguments is also attached as `err`,
 * with its stack and cause.
 */
export function bridgeConsole(logger: Logger): void {
	for (const method of Object.keys(LEVEL) as ConsoleMethod[]) {
		const level = LEVEL[method];
		console[method] = (...args: unknown[]) => {
			const err = args.find((a): a is Error => a instanceof Error);
			const msg = format(...args.map((a) => (a instanceof Error ? a.message : a)));
			if (err) logger[level]({ err }, msg);
			else logger[level](msg);
		};
	}
}

/** Paths can carry secrets (one-time scoring links): those parts are not logged. */
export function loggablePath(url: string | undefined): string {
	const path = (url ?? '/').split('?')[0]!;
	return path.replace(/^\/score\/[^/]+/, '/score/…');
}
