/**
 * Outgoing mail. With SMTP_URL set, nodemailer delivers over SMTP. Without it, development and
 * test write the message to the log (so a developer can read the code); production refuses to
 * start (`assertMailConfigured`), because a silently swallowed code would block every sign-up.
 */
import nodemailer from 'nodemailer';
import { Config, ConfigError, Logger } from '@flashsale/platform';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  send(mail: Mail): Promise<void>;
  close(): void;
}

export function assertMailConfigured(config: Config): void {
  if (config.NODE_ENV === 'production' && !config.SMTP_URL) {
    throw new ConfigError(
      'Invalid environment configuration:\n  SMTP_URL: required when NODE_ENV=production (verification codes are mailed through it, e.g. smtp://mail.internal:587)',
    );
  }
}

export function createMailer(config: Config, logger: Logger): Mailer {
  assertMailConfigured(config);
  if (!config.SMTP_URL) {
    logger.warn('SMTP_URL is not set: verification mail is written to this log instead of being sent');
    return {
      async send(mail) {
        logger.info({ mail: { to: mail.to, subject: mail.subject, text: mail.text } }, 'mail not sent (SMTP_URL unset)');
      },
      close() {},
    };
  }
  const transport = nodemailer.createTransport(config.SMTP_URL, {
    from: config.MAIL_FROM,
    // A stalled mail server must not hold a request for minutes (nodemailer's defaults).
    connectionTimeout: 5000,
    greetingTimeout: 5000,
    socketTimeout: 10000,
  });
  return {
    async send(mail) {
      await transport.sendMail({ to: mail.to, subject: mail.subject, text: mail.text });
    },
    close() {
      transport.close();
    },
  };
}
