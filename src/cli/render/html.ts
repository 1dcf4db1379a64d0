/** Escapes text for HTML content and attribute values: every page the CLI writes goes through this. */
export const esc = (s: string): string => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
