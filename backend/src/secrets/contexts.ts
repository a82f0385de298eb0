/** Where a workspace secret is sealed: bound to its workspace and field, so it opens nowhere else. */
export const secretContext = (workspaceId: string, field: string) => `${workspaceId}:${field}`;
