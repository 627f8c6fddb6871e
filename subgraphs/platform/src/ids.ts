/** The shape of every entity id in the supergraph (UUIDs, compared case-insensitively as MySQL does). */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
