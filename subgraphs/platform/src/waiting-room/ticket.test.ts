import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { TicketSigner } from './ticket';

const secret = 's'.repeat(40);

describe('waiting-room tickets', () => {
  const signer = new TicketSigner(secret);
  const claims = { productId: randomUUID(), buyer: randomUUID() };

  it('verifies what it signed, and signs the same claims the same way (joining again gives the same ticket)', () => {
    const ticket = signer.sign(claims);
    expect(signer.verify(ticket)).toEqual({ ok: true, claims });
    expect(signer.sign(claims)).toBe(ticket);
    expect(new TicketSigner(secret).verify(ticket)).toEqual({ ok: true, claims });
  });

  it('refuses a ticket signed under another secret, and one whose claims or signature were altered', () => {
    const ticket = signer.sign(claims);
    expect(new TicketSigner('t'.repeat(40)).verify(ticket)).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
    const [head, , mac] = ticket.split('.');
    const otherClaims = Buffer.from(JSON.stringify({ p: claims.productId, u: randomUUID() })).toString('base64url');
    expect(signer.verify(`${head}.${otherClaims}.${mac}`)).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
    const flipped = mac.slice(0, -2) + (mac.endsWith('AA') ? 'AB' : 'AA');
    expect(signer.verify(ticket.slice(0, ticket.length - mac.length) + flipped).ok).toBe(false);
  });

  it('refuses anything malformed without throwing', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 500 }), (text) => {
        const result = signer.verify(text);
        expect(result.ok).toBe(false);
      }),
    );
    for (const bad of ['', 'wr1', 'wr1..', 'wr2.e30.' + 'A'.repeat(43), 'x'.repeat(1000)]) expect(signer.verify(bad).ok).toBe(false);
    // A correctly signed body that is not the claims JSON.
    const forgedShape = new TicketSigner(secret);
    const body = `wr1.${Buffer.from('[1,2]').toString('base64url')}`;
    const mac = (forgedShape as unknown as { mac(b: string): Buffer }).mac(body).toString('base64url');
    expect(signer.verify(`${body}.${mac}`)).toEqual({ ok: false, reason: 'MALFORMED' });
  });
});
