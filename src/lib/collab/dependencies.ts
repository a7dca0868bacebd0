/** What page loads showing tracked items declare with `depends`, so one event refreshes them all. */
export const PROJECTS_DEPENDENCY = 'projects:live';
