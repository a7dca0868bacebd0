import type { unit as zh } from '../zh-CN/unit';

export const unit: Record<keyof typeof zh, string> = {
	'unitYear.title': '{name} · {year} at a glance',
	'unitYear.intro': 'The unit’s joint-building projects of the year, its monthly reports, where the quarterly bulletins mention it and its year-end evaluation: what the annual party-building assessment needs.',
	'unitYear.year': 'Year',
	'unitYear.show': 'Show',
	'unitYear.print': 'Print',
	'unitYear.counts': '{total} projects: {done} done ({rate}), {inProgress} in progress, {notStarted} not started, {overdue} overdue, {onHold} on hold; {missing} monthly reports missing.',
	'unitYear.projects': 'Projects',
	'unitYear.noProjects': 'No projects this year.',
	'unitYear.col.project': 'Project',
	'unitYear.col.committee': 'Committee',
	'unitYear.col.status': 'Status',
	'unitYear.col.due': 'Due',
	'unitYear.col.reported': 'Reported',
	'unitYear.col.missing': 'Missing',
	'unitYear.bulletins': 'Quarterly bulletins',
	'unitYear.noBulletins': 'No finalized bulletin of the year mentions the unit.',
	'unitYear.evaluations': 'Year-end evaluation',
	'unitYear.noEvaluations': 'No evaluation has scored the unit’s projects this year yet.',
	'unitYear.evaluationLine': 'Average {average}, rank {rank} of {units}',
	'unitYear.evaluationOpen': '(still open)',
	'unitYear.projectScore': '{title}: mean total {score} ({count} scores)',
	'unitYear.link': 'Unit’s year'
};
