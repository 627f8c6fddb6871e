/**
 * The checks and normalisation of account data. Each check throws BAD_USER_INPUT with the reason
 * and returns the value normalised; the argument classes (types/account.types.ts) declare them as
 * rules with the platform's `Rule`, so malformed input is refused before anything is read or
 * written, and the services only normalise (normaliseEmail, normaliseText). The password policy is
 * a business rule and answers WEAK_PASSWORD as a typed result.
 */
import { isEmail } from 'class-validator';
import { badInput } from '@flashsale/platform';

export const LIMITS = {
  email: 254, // RFC 5321 path limit
  name: 100,
  phone: 32,
  address: 500,
  passwordMin: 10,
  // argon2 hashes any length, but an unbounded password is a cheap way to burn server CPU.
  passwordMax: 128,
  // Ours are 43 characters; a longer one is not ours, and hashing megabytes of it would cost CPU.
  refreshToken: 200,
} as const;

/** Trimmed, Unicode-NFC, lower-cased: the one form that is indexed and compared. */
export function normaliseEmail(raw: string): string {
  return raw.trim().normalize('NFC').toLowerCase();
}

// A lone UTF-16 surrogate is not text: UTF-8 cannot hold it (it would be stored as U+FFFD, not as
// sent) and the email validator throws on it (an INTERNAL_SERVER_ERROR before this check).
const LONE_SURROGATE = /\p{Cs}/u;

export function validEmail(raw: string, field = 'email'): string {
  const email = normaliseEmail(raw);
  if (!email) throw badInput('Email is required', field);
  if (LONE_SURROGATE.test(email)) throw badInput('Email is not a valid address', field);
  if (email.length > LIMITS.email) throw badInput(`Email must be at most ${LIMITS.email} characters`, field);
  if (!isEmail(email, { allow_display_name: false, allow_ip_domain: false, require_tld: true })) {
    throw badInput('Email is not a valid address', field);
  }
  return email;
}

// Control characters other than tab/newline have no place in a name or an address.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

function text(raw: string, field: string, label: string, max: number, allowNewlines: boolean): string {
  const value = normaliseText(raw);
  if (!value) throw badInput(`${label} must not be empty`, field);
  if (LONE_SURROGATE.test(value)) throw badInput(`${label} is not valid Unicode text`, field);
  if ([...value].length > max) throw badInput(`${label} must be at most ${max} characters`, field);
  if (CONTROL.test(value) || (!allowNewlines && /[\r\n\t]/.test(value))) throw badInput(`${label} contains control characters`, field);
  return value;
}

/** Name, phone and address as stored: trimmed, Unicode-NFC (the form their checks judge). */
export function normaliseText(raw: string): string {
  return raw.trim().normalize('NFC');
}

export const validName = (raw: string, field = 'name') => text(raw, field, 'Name', LIMITS.name, false);

/** updateProfile's name: left out keeps it, null would remove it (refused), anything else is a name. */
export function keptName(raw: string | null | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (raw === null) throw badInput('Name cannot be removed', 'name');
  return validName(raw);
}
export const validAddress = (raw: string, field = 'address') => text(raw, field, 'Address', LIMITS.address, true);

export function validPhone(raw: string, field = 'phone'): string {
  const value = text(raw, field, 'Phone', LIMITS.phone, false);
  if (!/^\+?[0-9 ()./-]+$/.test(value) || value.replace(/\D/g, '').length < 6) {
    throw badInput('Phone must be digits with optional +, spaces, dots, dashes or brackets (at least 6 digits)', field);
  }
  return value;
}

/** A 6-digit code; anything else is malformed (and does not count as a try). */
export function validCode(raw: string, field = 'code'): string {
  const code = raw.trim();
  if (!/^\d{6}$/.test(code)) throw badInput('Code must be the 6 digits from the email', field);
  return code;
}

/** Length bound only: used where a password is checked, not chosen (logIn, old password). */
export function boundedPassword(raw: string, field = 'password'): string {
  if (raw.length === 0) throw badInput('Password is required', field);
  if (raw.length > LIMITS.passwordMax) throw badInput(`Password must be at most ${LIMITS.passwordMax} characters`, field);
  return raw;
}

/**
 * The password policy for a new password: at least 10 characters and at least two kinds of
 * character (lower-case, upper-case, digits, other). Returns what is wrong, or null.
 */
export function passwordWeakness(password: string): string | null {
  const length = [...password].length;
  if (length < LIMITS.passwordMin) return `Password must be at least ${LIMITS.passwordMin} characters long`;
  const classes = [/\p{Ll}/u, /\p{Lu}/u, /\p{Nd}/u, /[^\p{Ll}\p{Lu}\p{Nd}]/u].filter((re) => re.test(password)).length;
  if (classes < 2) return 'Password must mix at least two kinds of characters: lower-case, upper-case, digits, symbols';
  return null;
}
