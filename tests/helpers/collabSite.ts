import { afterAll, beforeAll } from 'vitest';
import { startCollabServer } from './collabServer';
import { createTestDatabase, type TestDatabase } from './db';
import { createCommitteeFixture, type CommitteeFixture } from './fixtures';
import { connect, type TestClient } from './provider';

export interface CollabSite {
	database: TestDatabase;
	server: Awaited<ReturnType<typeof startCollabServer>>;
	/** A committee with a person in every role and a meeting. */
	fx: CommitteeFixture;
	/** A provider for `name` with `token`, destroyed after the file's tests. */
	client(token: string, name: string): TestClient;
}

/**
 * A test database with one committee fixture and the real collaboration server on it, started
 * before the file's tests and stopped after them. Fields are filled by beforeAll.
 */
export function useCollabSite(): CollabSite {
	const clients: TestClient[] = [];
	const site = {
		client(token: string, name: string) {
			const c = connect(site.server.url, name, token);
			clients.push(c);
			return c;
		}
	} as CollabSite;
	beforeAll(async () => {
		site.database = await createTestDatabase();
		site.fx = await createCommitteeFixture(site.database.db);
		site.server = await startCollabServer(site.database);
	});
	afterAll(async () => {
		for (const c of clients) c.destroy();
		await site.server?.stop();
		await site.database?.destroy();
	});
	return site;
}
