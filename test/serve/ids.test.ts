import { describe, expect, it } from 'vitest';
import { timeOrderedId } from '../../src/serve/ids.js';

describe('prediction ids', () => {
  it('are version-7 UUIDs carrying their time, unique, and sort by it', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => timeOrderedId(1_700_000_000_000 + Math.floor(i / 10)));
    for (const id of ids.slice(0, 100)) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect(parseInt(ids[0]!.replace(/-/g, '').slice(0, 12), 16)).toBe(1_700_000_000_000);
    // Ids of different milliseconds sort by time.
    for (let i = 10; i < ids.length; i += 10) expect(ids[i]! > ids[i - 10]!).toBe(true);
  });
});
