/** The OpenAPI description of /api/v1, served at /api/v1/openapi.json. Keep it beside the routes it describes. */
const error = {
	type: 'object',
	required: ['error'],
	properties: {
		error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } }
	}
};
const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

const meeting = {
	type: 'object',
	required: ['id', 'committeeId', 'title', 'kind', 'state', 'startsAt', 'place', 'onlineLink', 'createdAt'],
	properties: {
		id: { type: 'string', format: 'uuid' },
		committeeId: { type: 'string', format: 'uuid' },
		title: { type: 'string', maxLength: 200 },
		kind: { type: 'string', enum: ['regular', 'special'], description: 'regular = 例会, special = 专题会议' },
		state: { type: 'string', enum: ['scheduled', 'in_progress', 'review', 'finalized'] },
		startsAt: { type: 'string', format: 'date-time' },
		place: { type: 'string' },
		onlineLink: { type: 'string' },
		createdAt: { type: 'string', format: 'date-time' }
	}
};

export const openApiDocument = {
	openapi: '3.1.0',
	info: {
		title: 'gongjian (共建会议工作台) API',
		version: '1',
		description: 'Committees, meetings and agendas of regional party-building joint committees. Authenticate with POST /sessions, then send Authorization: Bearer <token>. The same token authenticates the collaboration WebSocket (/collab, Hocuspocus protocol) as the provider\'s token.'
	},
	servers: [{ url: '/api/v1' }],
	components: {
		securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
		schemas: {
			Error: error,
			Meeting: meeting,
			Committee: {
				type: 'object',
				properties: {
					id: { type: 'string', format: 'uuid' },
					kind: { type: 'string', enum: ['community', 'street'], description: 'community = 社区大党委, street = 街道大工委' },
					name: { type: 'string' },
					streetName: { type: 'string' },
					communityName: { type: ['string', 'null'] },
					memberCount: { type: 'integer' },
					role: { type: ['string', 'null'], enum: ['convener', 'recorder', 'member', 'part_time', 'observer', null] }
				}
			},
			AgendaItem: {
				type: 'object',
				properties: {
					id: { type: 'string' },
					title: { type: 'string' },
					presenter: { type: 'string' },
					durationMinutes: { type: 'integer' },
					notes: { type: 'string' }
				}
			}
		}
	},
	security: [{ bearer: [] }],
	paths: {
		'/sessions': {
			post: {
				summary: 'Sign in and get a bearer token',
				security: [],
				requestBody: {
					required: true,
					content: {
						'application/json': {
							schema: { type: 'object', required: ['username', 'password'], properties: { username: { type: 'string' }, password: { type: 'string' } } }
						}
					}
				},
				responses: {
					'201': {
						description: 'Signed in',
						content: {
							'application/json': {
								schema: { type: 'object', properties: { token: { type: 'string' }, expiresAt: { type: 'string', format: 'date-time' } } }
							}
						}
					},
					'400': errorResponse('Malformed body'),
					'401': errorResponse('Wrong username or password'),
					'429': errorResponse('Too many failed attempts for this account or address; see Retry-After')
				}
			}
		},
		'/sessions/current': {
			delete: { summary: 'Sign the calling token out', responses: { '204': { description: 'Signed out' }, '401': errorResponse('No valid token') } }
		},
		'/committees': {
			get: {
				summary: 'Committees the caller belongs to (all of them for administrators)',
				responses: {
					'200': {
						description: 'Committees',
						content: { 'application/json': { schema: { type: 'object', properties: { items: { type: 'array', items: { $ref: '#/components/schemas/Committee' } } } } } }
					},
					'401': errorResponse('No valid token')
				}
			}
		},
		'/committees/{id}/meetings': {
			parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
			get: {
				summary: 'Meetings of a committee, newest first',
				parameters: [
					{ name: 'page', in: 'query', schema: { type: 'integer', minimum: 1, default: 1 } },
					{ name: 'pageSize', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } }
				],
				responses: {
					'200': {
						description: 'A page of meetings',
						content: {
							'application/json': {
								schema: {
									type: 'object',
									properties: { items: { type: 'array', items: { $ref: '#/components/schemas/Meeting' } }, page: { type: 'integer' }, pageSize: { type: 'integer' }, total: { type: 'integer' } }
								}
							}
						}
					},
					'400': errorResponse('Bad paging parameters'),
					'401': errorResponse('No valid token'),
					'404': errorResponse('No such committee, or not a member')
				}
			},
			post: {
				summary: 'Schedule a meeting (convener, recorder or administrator)',
				requestBody: {
					required: true,
					content: {
						'application/json': {
							schema: {
								type: 'object',
								required: ['title', 'kind', 'startsAt'],
								properties: {
									title: { type: 'string', maxLength: 200 },
									kind: { type: 'string', enum: ['regular', 'special'] },
									startsAt: { type: 'string', format: 'date-time', description: 'ISO 8601 with offset, e.g. 2026-12-01T14:30:00+08:00' },
									place: { type: 'string', maxLength: 200 },
									onlineLink: { type: 'string', description: 'http(s) URL' }
								}
							}
						}
					}
				},
				responses: {
					'201': { description: 'Scheduled', content: { 'application/json': { schema: { $ref: '#/components/schemas/Meeting' } } } },
					'400': errorResponse('Invalid fields (error.fields names each)'),
					'401': errorResponse('No valid token'),
					'403': errorResponse('Not allowed to schedule meetings in this committee'),
					'404': errorResponse('No such committee, or not a member'),
					'415': errorResponse('Body is not JSON')
				}
			}
		},
		'/meetings/{id}/transitions': {
			parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
			post: {
				summary: 'Move a meeting through its lifecycle (scheduled → in_progress → review → finalized; reopen needs a reason)',
				requestBody: {
					required: true,
					content: {
						'application/json': {
							schema: {
								type: 'object',
								required: ['transition'],
								properties: { transition: { type: 'string', enum: ['start', 'review', 'finalize', 'reopen'] }, reason: { type: 'string', maxLength: 500 } }
							}
						}
					}
				},
				responses: {
					'200': { description: 'The new state; for finalize, the version, hash and decision counts' },
					'400': errorResponse('Invalid transition, missing reason, or decisions to complete (error.problems names each block)'),
					'401': errorResponse('No valid token'),
					'403': errorResponse('Not allowed for this role'),
					'404': errorResponse('No such meeting'),
					'409': errorResponse('Not possible in the current state')
				}
			}
		},
		'/meetings/{id}/attendance': {
			parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
			get: {
				summary: 'Attendance of every member, with the summary (应到/实到, quorum, units represented)',
				responses: { '200': { description: '{entries, summary}' }, '401': errorResponse('No valid token'), '404': errorResponse('No such meeting, or not a member') }
			},
			put: {
				summary: 'Record one member’s attendance (convener, recorder or administrator)',
				requestBody: {
					required: true,
					content: {
						'application/json': {
							schema: {
								type: 'object',
								required: ['userId', 'status'],
								properties: {
									userId: { type: 'string', format: 'uuid' },
									status: { type: 'string', enum: ['present', 'remote', 'absent', 'delegated'] },
									reason: { type: 'string', maxLength: 200, description: 'required when absent (请假)' },
									delegateId: { type: 'string', format: 'uuid', description: 'required when delegated (委托)' }
								}
							}
						}
					}
				},
				responses: {
					'200': { description: '{entry, summary}' },
					'400': errorResponse('Invalid attendance (error.key names the rule)'),
					'403': errorResponse('Not convener, recorder or administrator'),
					'404': errorResponse('No such meeting, or not a member'),
					'409': errorResponse('The meeting is finalized')
				}
			}
		},
		'/committees/{id}/boards/{year}/proposals/{proposalId}/schedule': {
			parameters: [
				{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
				{ name: 'year', in: 'path', required: true, schema: { type: 'integer' } },
				{ name: 'proposalId', in: 'path', required: true, schema: { type: 'string' } }
			],
			post: {
				summary: 'Put a board proposal on the committee’s next meeting’s agenda (an agenda item linked to it)',
				responses: {
					'200': { description: '{meetingId, agendaItemId}' },
					'403': errorResponse('Not convener, recorder or administrator'),
					'404': errorResponse('No such proposal'),
					'409': errorResponse('Already scheduled, closed, or no upcoming meeting')
				}
			}
		},
		'/projects/{id}': {
			parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
			get: {
				summary: 'A tracked project item (from a decision of finalized minutes)',
				responses: { '200': { description: 'The item, with its units and derived status' }, '401': errorResponse('No valid token'), '404': errorResponse('No such item, or not a member') }
			}
		},
		'/meetings/{id}': {
			parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
			get: {
				summary: 'A meeting with its agenda as stored',
				responses: {
					'200': {
						description: 'The meeting',
						content: {
							'application/json': {
								schema: {
									allOf: [
										{ $ref: '#/components/schemas/Meeting' },
										{ type: 'object', properties: { committeeName: { type: 'string' }, agenda: { type: 'array', items: { $ref: '#/components/schemas/AgendaItem' } } } }
									]
								}
							}
						}
					},
					'401': errorResponse('No valid token'),
					'404': errorResponse('No such meeting, or not a member of its committee')
				}
			}
		}
	}
} as const;
