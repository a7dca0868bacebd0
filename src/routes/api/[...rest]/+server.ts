import { apiError } from '$lib/server/api';
import type { RequestHandler } from './$types';

// Unknown API paths answer in the API's error shape, not with an HTML page.
const notFound: RequestHandler = ({ url }) => apiError(404, 'not_found', `No API resource at ${url.pathname}. See /api/v1/openapi.json.`);
export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
