import { redirect } from '@sveltejs/kit';
import { chinaToday } from '$lib/server/projectItem';
import type { PageServerLoad } from './$types';

/** The board of the current year (in China). */
export const load: PageServerLoad = ({ params }) => redirect(303, `/committees/${params.id}/board/${chinaToday().slice(0, 4)}`);
