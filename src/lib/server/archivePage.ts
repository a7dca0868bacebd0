import type { SessionUser } from './auth/session';
import { archiveYears, QUERY_MAX, searchArchive } from './archive';
import type { DbOrTx } from './db';
import { visibleCommittees, type VisibleCommittee } from './visibility';

/*
 * What the archive pages show: the district's (every committee the reader may see; all of
 * them for an administrator) or one committee's, filtered by the query string.
 */

export interface ArchiveQuery {
	q: string;
	year: number | null;
	committeeId: string | null;
	streetId: string | null;
	allVersions: boolean;
	page: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseArchiveQuery(url: URL): ArchiveQuery {
	const year = Number(url.searchParams.get('year'));
	const page = Number(url.searchParams.get('page'));
	const id = (name: string) => {
		const value = url.searchParams.get(name) ?? '';
		return UUID.test(value) ? value : null;
	};
	return {
		q: (url.searchParams.get('q') ?? '').trim().slice(0, QUERY_MAX),
		year: Number.isInteger(year) && year >= 2000 && year <= 2100 ? year : null,
		committeeId: id('committee'),
		streetId: id('street'),
		allVersions: url.searchParams.get('versions') === 'all',
		page: Number.isInteger(page) && page > 0 ? page : 1
	};
}

export async function loadArchive(db: DbOrTx, user: SessionUser, query: ArchiveQuery, only: VisibleCommittee | null = null) {
	const visible = only ? [only] : await visibleCommittees(db, user);
	const chosen = query.committeeId ? visible.filter((c) => c.id === query.committeeId) : visible;
	// District-wide records (bulletins of the whole district) are filed under the district: administrators only.
	const districts = user.isAdmin && !only ? [...new Set(visible.map((c) => c.districtId))] : [];
	const ids = [...chosen.map((c) => c.id), ...(query.committeeId || query.streetId ? [] : districts)];
	const [result, years] = await Promise.all([
		searchArchive(db, { scopeIds: ids, year: query.year, streetId: query.streetId, q: query.q, allVersions: query.allVersions, page: query.page }),
		archiveYears(db, [...visible.map((c) => c.id), ...districts])
	]);
	const streets = [...new Map(visible.map((c) => [c.streetId, { id: c.streetId, name: c.streetName }])).values()].sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
	return {
		query,
		committees: visible.map((c) => ({ id: c.id, name: c.name })).sort((a, b) => a.name.localeCompare(b.name, 'zh-CN')),
		streets,
		years,
		result: {
			...result,
			items: result.items.map((i) => ({ ...i, finalizedAt: i.finalizedAt.toISOString() }))
		}
	};
}

export type ArchiveData = Awaited<ReturnType<typeof loadArchive>>;
