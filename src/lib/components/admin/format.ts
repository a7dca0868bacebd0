/**
 * File sizes for messages, in whole KB rounded up: MiB with one decimal would call a file a
 * few bytes over the 1 MiB limit "1 MiB, the limit is 1 MiB".
 */
export function formatSize(bytes: number): string {
	return `${Math.ceil(bytes / 1024).toLocaleString('en-US')} KB`;
}
