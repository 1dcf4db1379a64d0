/** A value that survives JSON.stringify/parse unchanged: what params, configs and policies are made of. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export const toJson = (value: JsonValue | undefined): string | null => (value === undefined ? null : JSON.stringify(value));

export const fromJson = <T extends JsonValue = JsonValue>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));
