import { json } from '@sveltejs/kit';
import type { SessionUser } from './auth/session';

/** Every API error has this shape: `{"error": {"code", "message"}}`. */
export function apiError(status: number, code: string, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Response {
	return json({ error: { code, message, ...extra } }, { status, headers });
}

export class ApiFailure extends Error {
	constructor(readonly response: Response) {
		super('api failure');
	}
}

export function requireApiUser(locals: App.Locals): SessionUser {
	if (!locals.user) throw new ApiFailure(apiError(401, 'unauthenticated', 'Send a valid token: Authorization: Bearer <token> (POST /api/v1/sessions).'));
	return locals.user;
}

/** Wraps an API handler so that ApiFailure becomes its response and anything else a logged 500. */
export function apiHandler<E extends { locals: App.Locals; request: Request }>(fn: (event: E) => Promise<Response>) {
	return async (event: E): Promise<Response> => {
		try {
			return await fn(event);
		} catch (err) {
			if (err instanceof ApiFailure) return err.response;
			console.error(`[api] ${event.request.method} ${new URL(event.request.url).pathname} failed:`, err);
			return apiError(500, 'internal', 'The server ran into an error; it has been logged.');
		}
	};
}

export async function readJsonObject(request: Request): Promise<Record<string, unknown>> {
	const type = request.headers.get('content-type') ?? '';
	if (!type.toLowerCase().includes('application/json')) {
		throw new ApiFailure(apiError(415, 'unsupported_media_type', 'Send the body as JSON with Content-Type: application/json.'));
	}
	let body: unknown;
	try {
		body = await request.json();
	} catch {
		throw new ApiFailure(apiError(400, 'invalid_json', 'The request body is not valid JSON.'));
	}
	if (!body || typeof body !== 'object' || Array.isArray(body)) {
		throw new ApiFailure(apiError(400, 'invalid_body', 'The request body must be a JSON object.'));
	}
	return body as Record<string, unknown>;
}
