/**
 * The in-process launcher draws all five of a stack's ports before starting any server, so a port
 * drawn twice by one process makes the second listen fail with EADDRINUSE (as a CI run once did).
 */
import { readFileSync } from 'node:fs';
import { reservablePort } from '../scripts/launcher/ports';

it('reservablePort never hands one process the same port twice, and stays below the ephemeral range', async () => {
  const ephemeralStart = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  const ports: number[] = [];
  for (let i = 0; i < 300; i++) ports.push(await reservablePort());
  expect(new Set(ports).size).toBe(300);
  expect(Math.max(...ports)).toBeLessThan(Math.min(ephemeralStart, 32768));
  expect(Math.min(...ports)).toBeGreaterThanOrEqual(10_000);
});
