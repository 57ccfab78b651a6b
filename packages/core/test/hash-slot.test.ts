import { describe, expect, it } from 'vitest';
import { hashSlot } from '../src/hash-slot.js';

describe('hashSlot', () => {
  it('places keys and channels in the slot CLUSTER KEYSLOT names (Redis 7.0.15)', () => {
    expect(hashSlot('foo')).toBe(12182);
    expect(hashSlot('somekey')).toBe(11058);
    expect(hashSlot('123456789')).toBe(0x31c3 % 16384); // the CRC16-XMODEM check value
  });

  it('hashes only the hash tag when it has one, and the whole key for an empty or unclosed tag', () => {
    expect(hashSlot('hydra:service:mc:{users-svc}')).toBe(hashSlot('users-svc'));
    expect(hashSlot('hydra:service:mc:{users-svc}:0f3c')).toBe(hashSlot('users-svc'));
    expect(hashSlot('a{}{b}')).toBe(15033);
    expect(hashSlot('{a')).toBe(10276);
    expect(hashSlot('héllo{ünï}')).toBe(hashSlot('ünï'));
  });
});
