import type { template as zh } from '../zh-CN/template';

export const template: Record<keyof typeof zh, string> = {
	'admin.nav.templates': 'Minutes templates',

	'template.title': 'Minutes templates',
	'template.intro': 'When the recorder first opens empty minutes, they are laid out from the meeting and its agenda: title, time, place, host, recorder, attendance, one section per agenda item, and the closing text. After that they are edited like any text. Here you set the title pattern and closing text for each kind of committee. The minutes themselves stay in Chinese.',
	'template.titlePattern': 'Title pattern',
	'template.titleHint': 'Use the placeholders below; they are replaced with the meeting’s details.',
	'template.closingText': 'Closing text',
	'template.closingHint': 'Printed at the end of the minutes, one paragraph per line. May be left empty.',
	'template.placeholders': 'Placeholders',
	'template.ph.committee': 'the committee’s name, e.g. “幸福社区大党委”',
	'template.ph.year': 'the year of the meeting (Beijing time)',
	'template.ph.n': 'which meeting of its kind this is in the year, by start time (regular and special meetings are counted separately)',
	'template.ph.kind': 'the kind of meeting: “例会” (regular) or “专题会议” (special)',
	'template.ph.date': 'the date of the meeting, e.g. “2026年3月12日”',
	'template.specialNote': 'If the pattern contains {kind}, special meetings use it too; otherwise their minutes are titled “{committee}专题会议纪要”.',
	'template.preview': 'Title preview',
	'template.previewRegular': 'Regular meeting',
	'template.previewSpecial': 'Special meeting',
	'template.example': 'Example meeting: {committee}, held on {date}, number {n} of the year.',
	'template.previewInvalid': 'The pattern has an error; no preview.',
	'template.default': 'Default',
	'template.custom': 'Customised',
	'template.restoreDefault': 'Restore the default title pattern',
	'template.saved': 'Template saved. Empty minutes opened from now on are laid out with it.',
	'template.unchanged': 'Nothing changed.',
	'template.charCount': '{count} / {max} characters',

	'template.error.titleRequired': 'Enter a title pattern.',
	'template.error.titleTooLong': 'The title pattern may be at most {max} characters.',
	'template.error.unknownPlaceholder': 'Unknown placeholder {name}; use the ones listed below.',
	'template.error.strayBrace': 'A brace is not closed; check how the placeholders are written.',
	'template.error.closingTooLong': 'The closing text may be at most {max} characters.',
	'template.error.unknownKind': 'There is no such kind of committee.'
} as const;
