import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		adapter: adapter({ out: 'build', precompress: false }),
		// Form actions are protected by SvelteKit's Origin check; the JSON API uses bearer tokens.
		csrf: { trustedOrigins: [] },
		// Content-Security-Policy: SvelteKit hashes its own inline boot script ('auto'); nothing
		// else runs. Styles stay 'unsafe-inline' (Svelte sets style attributes; a style cannot run
		// code). Images may be data:/blob: (charts, QR codes, attachment previews).
		csp: {
			mode: 'auto',
			directives: {
				'default-src': ['self'],
				'script-src': ['self'],
				'style-src': ['self', 'unsafe-inline'],
				'img-src': ['self', 'data:', 'blob:'],
				'font-src': ['self', 'data:'],
				'connect-src': ['self'],
				'worker-src': ['self'],
				'object-src': ['none'],
				'base-uri': ['self'],
				'form-action': ['self'],
				'frame-ancestors': ['none']
			}
		}
	}
};

export default config;
