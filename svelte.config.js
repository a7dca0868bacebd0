import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		adapter: adapter({ out: 'build', precompress: false }),
		// Form actions are protected by SvelteKit's Origin check; the JSON API uses bearer tokens.
		csrf: { trustedOrigins: [] }
	}
};

export default config;
