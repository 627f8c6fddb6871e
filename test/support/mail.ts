/**
 * A real SMTP server for tests (the `smtp-server` package): the user subgraph delivers
 * verification mail to it over SMTP exactly as it would to a production relay, and tests read the
 * received messages (and the 6-digit code in their text) from here.
 */
import { SMTPServer } from 'smtp-server';
import { AddressInfo } from 'node:net';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

export interface MailCatcher {
  url: string;
  messages: ReceivedMail[];
  /** Waits for the next mail to `to` received after `since` messages, and returns its code. */
  waitForCode(to: string, opts?: { since?: number; timeoutMs?: number }): Promise<string>;
  stop(): Promise<void>;
}

/** The text part of a simple nodemailer message, with quoted-printable soft breaks undone. */
export function mailText(raw: string): string {
  const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
  return body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

export async function startMailCatcher(): Promise<MailCatcher> {
  const messages: ReceivedMail[] = [];
  const waiters = new Set<() => void>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        for (const w of waiters) w();
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;

  const find = (to: string, since: number) => messages.slice(since).find((m) => m.to.includes(to.toLowerCase()));
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    async waitForCode(to, opts = {}) {
      const since = opts.since ?? 0;
      const deadline = opts.timeoutMs ?? 5000;
      let mail = find(to, since);
      if (!mail) {
        mail = await new Promise<ReceivedMail>((resolve, reject) => {
          const check = () => {
            const m = find(to, since);
            if (m) {
              waiters.delete(check);
              clearTimeout(timer);
              resolve(m);
            }
          };
          const timer = setTimeout(() => {
            waiters.delete(check);
            reject(new Error(`no mail to ${to} within ${deadline}ms`));
          }, deadline);
          waiters.add(check);
        });
      }
      const code = /\b(\d{6})\b/.exec(mailText(mail.raw))?.[1];
      if (!code) throw new Error(`mail to ${to} holds no 6-digit code:\n${mail.raw}`);
      return code;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
