import { clientAddress } from './client-address';

describe('clientAddress', () => {
  const haproxy = new Set(['127.0.0.1']);

  test('without a trusted proxy the peer is the client, whatever X-Forwarded-For claims', () => {
    expect(clientAddress('203.0.113.7', '10.0.0.1', new Set())).toBe('203.0.113.7');
    expect(clientAddress('203.0.113.7', '10.0.0.1', haproxy)).toBe('203.0.113.7');
  });

  test('behind a trusted proxy the last X-Forwarded-For entry (the proxy’s own) is the client', () => {
    expect(clientAddress('127.0.0.1', '198.51.100.4', haproxy)).toBe('198.51.100.4');
    // A client that sends its own header to an appending proxy cannot choose the entry read.
    expect(clientAddress('127.0.0.1', '10.9.9.9, 198.51.100.4', haproxy)).toBe('198.51.100.4');
    expect(clientAddress('127.0.0.1', ['10.9.9.9', '198.51.100.4'], haproxy)).toBe('198.51.100.4');
  });

  test('a trusted proxy that sends no header is itself the client; IPv4-mapped addresses match', () => {
    expect(clientAddress('127.0.0.1', undefined, haproxy)).toBe('127.0.0.1');
    expect(clientAddress('::ffff:127.0.0.1', '::ffff:198.51.100.4', haproxy)).toBe('198.51.100.4');
    expect(clientAddress('127.0.0.1', ' , ', haproxy)).toBe('127.0.0.1');
  });
});
