import { Extension } from '@tiptap/core';
import { GENERATED_ATTR } from '../domain/bulletin';

/*
 * Marks blocks a document was generated with (a bulletin's figures and tables) by the key of
 * the part they belong to, so that "refresh figures" can replace exactly those blocks and
 * leave every word people wrote alone. People may still edit a marked block; a refresh
 * overwrites it, which the page says.
 */

export { GENERATED_ATTR };

export const GeneratedMarker = Extension.create({
	name: 'generatedMarker',
	addGlobalAttributes() {
		return [
			{
				types: ['paragraph', 'heading', 'table', 'bulletList', 'orderedList'],
				attributes: {
					[GENERATED_ATTR]: {
						default: null,
						parseHTML: (element) => element.getAttribute('data-generated'),
						renderHTML: (attributes) => (attributes[GENERATED_ATTR] ? { 'data-generated': String(attributes[GENERATED_ATTR]) } : {})
					}
				}
			}
		];
	}
});
