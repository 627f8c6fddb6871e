/**
 * Waiting-room tickets: what the edge hands a buyer who joins a sale's line, and what placeOrder
 * takes as `waitingRoomTicket`. A ticket names the product and the buyer and is signed by the edge
 * (HMAC-SHA256 under a key derived from IDENTITY_SECRET, which the gateway and every subgraph
 * share), so checking one costs the order path no round trip: the signature and the buyer are
 * checked here, and the number's turn, window and single use inside the reservation script
 * (line-scripts.lua.ts L3, L4), in the same atomic step that takes the units.
 *
 * The ticket carries no number: a pre-queue buyer's number is only drawn at the opening, and the
 * line in Redis is the one truth about numbers. So a ticket is the same every time its buyer joins.
 * Format: `wr1.<base64url of JSON {p, u}>.<base64url HMAC of everything before the last dot>`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const VERSION = 'wr1';
/** Longest ticket accepted (a product id and a user id fit in well under this). */
export const MAX_TICKET_LENGTH = 400;

export interface TicketClaims {
  productId: string;
  buyer: string;
}

export type TicketCheck = { ok: true; claims: TicketClaims } | { ok: false; reason: 'MALFORMED' | 'BAD_SIGNATURE' };

export class TicketSigner {
  private readonly key: Buffer;

  constructor(identitySecret: string) {
    // A key of its own, so a ticket's MAC can never be mistaken for an identity signature.
    this.key = createHmac('sha256', identitySecret).update('flashsale waiting-room ticket v1').digest();
  }

  sign(claims: TicketClaims): string {
    const body = `${VERSION}.${Buffer.from(JSON.stringify({ p: claims.productId, u: claims.buyer })).toString('base64url')}`;
    return `${body}.${this.mac(body).toString('base64url')}`;
  }

  verify(ticket: string): TicketCheck {
    if (typeof ticket !== 'string' || ticket.length > MAX_TICKET_LENGTH) return { ok: false, reason: 'MALFORMED' };
    const parts = ticket.split('.');
    if (parts.length !== 3 || parts[0] !== VERSION || !/^[A-Za-z0-9_-]+$/.test(parts[1]) || !/^[A-Za-z0-9_-]{43}$/.test(parts[2])) return { ok: false, reason: 'MALFORMED' };
    const expected = this.mac(`${parts[0]}.${parts[1]}`);
    const given = Buffer.from(parts[2], 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'BAD_SIGNATURE' };
    try {
      const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as { p?: unknown; u?: unknown };
      if (typeof claims.p !== 'string' || typeof claims.u !== 'string') return { ok: false, reason: 'MALFORMED' };
      return { ok: true, claims: { productId: claims.p, buyer: claims.u } };
    } catch {
      return { ok: false, reason: 'MALFORMED' };
    }
  }

  private mac(body: string): Buffer {
    return createHmac('sha256', this.key).update(body).digest();
  }
}
