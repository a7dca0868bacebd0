import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchBrowser } from './browser';
import { freshServerEnv } from './serverEnv';
import { startServer, type ServerEnv, type ServerProcess } from './serverProcess';

export interface DemoSite {
	server: ServerProcess;
	browser: Browser;
}

/**
 * A server on a fresh demo database and a Chromium, started before the file's tests and
 * stopped after them. The fields are filled in by beforeAll: read them inside tests.
 */
export function useDemoSite(extra: ServerEnv = {}): DemoSite {
	const site = {} as DemoSite;
	let fresh: Awaited<ReturnType<typeof freshServerEnv>> | undefined;
	beforeAll(async () => {
		fresh = await freshServerEnv({ SEED: 'demo', ...extra });
		site.server = await startServer(fresh.env);
		site.browser = await launchBrowser();
	});
	afterAll(async () => {
		await site.browser?.close();
		await site.server?.kill('SIGTERM');
		await fresh?.cleanup();
	});
	return site;
}
