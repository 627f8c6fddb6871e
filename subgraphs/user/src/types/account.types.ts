/**
 * GraphQL shapes of the account operations. Expected outcomes (wrong code, weak password, bad
 * credentials, reused refresh token, ...) come back in `userErrors` as `AccountError`s; malformed
 * input and throttling are catalogue errors (BAD_USER_INPUT, RATE_LIMITED).
 */
import { ArgsType, Field, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { MaxLength } from 'class-validator';
import { Rule, UserErrorFields, blankOr } from '@flashsale/platform';
import { LIMITS, boundedPassword, keptName, validAddress, validCode, validEmail, validName, validPhone } from '../services/validation';
import { User } from '../entities/user.entity';

export enum AccountErrorCode {
  /** The code does not match the one mailed (tries remain). */
  INVALID_CODE = 'INVALID_CODE',
  /** No live code for this email: never requested, expired, or already used. */
  CODE_EXPIRED = 'CODE_EXPIRED',
  /** Too many wrong tries: this code is dead; request a new one. */
  TOO_MANY_ATTEMPTS = 'TOO_MANY_ATTEMPTS',
  WEAK_PASSWORD = 'WEAK_PASSWORD',
  EMAIL_TAKEN = 'EMAIL_TAKEN',
  /** Email or password is wrong (deliberately not saying which). */
  INVALID_CREDENTIALS = 'INVALID_CREDENTIALS',
  /** changePassword: the current password given is wrong. */
  WRONG_PASSWORD = 'WRONG_PASSWORD',
  /** Unknown, expired, malformed or logged-out refresh token. */
  INVALID_REFRESH_TOKEN = 'INVALID_REFRESH_TOKEN',
  /** A refresh token that was already rotated: the whole session was ended for safety. */
  REFRESH_TOKEN_REUSED = 'REFRESH_TOKEN_REUSED',
}
registerEnumType(AccountErrorCode, { name: 'AccountErrorCode', description: 'Why an account operation did not happen.' });

@ObjectType({ description: 'An expected reason an account operation did not happen; nothing was changed.' })
export class AccountError extends UserErrorFields {
  @Field(() => AccountErrorCode)
  code!: AccountErrorCode;

  @Field(() => Int, { nullable: true, description: 'INVALID_CODE: wrong tries left before the code dies.' })
  attemptsLeft?: number | null;
}

export const accountError = (code: AccountErrorCode, message: string, extra: Partial<AccountError> = {}): AccountError =>
  Object.assign(new AccountError(), { code, message, field: null, attemptsLeft: null, ...extra });

@ObjectType()
export class RequestEmailVerificationPayload {
  @Field(() => Date, { nullable: true, description: 'When the mailed code stops working.' })
  codeExpiresAt?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Earliest time another code can be requested.' })
  resendAvailableAt?: Date | null;

  @Field(() => [AccountError])
  userErrors: AccountError[] = [];
}

// Every argument's rules are declared here (platform validation.ts runs them: BAD_USER_INPUT naming
// the field); the checks themselves, which also say how a value is normalised, are in
// services/validation.ts. A weak password is a typed WEAK_PASSWORD, not malformed input.

@ArgsType()
export class RequestEmailVerificationArgs {
  @Field()
  @Rule(validEmail)
  email!: string;
}

/** The optional contact fields sign-up and a profile change both take, with their rules (inherited; no argument has this type, so the schema never shows it). */
@InputType('ContactFields')
abstract class ContactFields {
  @Field(() => String, { nullable: true })
  @Rule(blankOr(validPhone))
  phone?: string | null;

  @Field(() => String, { nullable: true })
  @Rule(blankOr(validAddress))
  address?: string | null;
}

@InputType()
export class SignUpInput extends ContactFields {
  @Field()
  @Rule(validEmail)
  email!: string;

  @Field({ description: 'The 6-digit code mailed by requestEmailVerification.' })
  @Rule(validCode)
  code!: string;

  @Field({ description: 'At least 10 characters, mixing at least two of: lower-case, upper-case, digits, symbols.' })
  @Rule(boundedPassword)
  password!: string;

  @Field()
  @Rule(validName)
  name!: string;
}

/** An account mutation's answer: the user when it happened, and why when it did not (one type per mutation). */
function userPayload(name: string) {
  @ObjectType(name)
  class UserPayload {
    @Field(() => User, { nullable: true })
    user?: User | null;

    @Field(() => [AccountError])
    userErrors: AccountError[] = [];
  }
  return UserPayload;
}

export const SignUpPayload = userPayload('SignUpPayload');
export type SignUpPayload = InstanceType<typeof SignUpPayload>;

@ObjectType({ description: 'A session: a short-lived access token and the refresh token that renews it.' })
export class AuthPayload {
  @Field(() => String, { nullable: true, description: 'Send as `Authorization: Bearer <accessToken>`.' })
  accessToken?: string | null;

  @Field(() => Date, { nullable: true })
  accessTokenExpiresAt?: Date | null;

  @Field(() => String, { nullable: true, description: 'Single use: refreshTokens returns a new one and this one dies.' })
  refreshToken?: string | null;

  @Field(() => Date, { nullable: true })
  refreshTokenExpiresAt?: Date | null;

  @Field(() => User, { nullable: true })
  user?: User | null;

  @Field(() => [AccountError])
  userErrors: AccountError[] = [];
}

@ObjectType()
export class LogOutPayload {
  @Field({ description: 'True when the session(s) were ended.' })
  success: boolean = false;

  @Field(() => Int, { description: 'Sessions (refresh-token families) ended.' })
  revokedSessions: number = 0;

  @Field(() => [AccountError])
  userErrors: AccountError[] = [];
}

@InputType({ description: 'Fields to change; an omitted field is left as it is, null clears phone or address.' })
export class UpdateProfileInput extends ContactFields {
  @Field(() => String, { nullable: true })
  @Rule(keptName)
  name?: string | null;
}

export const UpdateProfilePayload = userPayload('UpdateProfilePayload');
export type UpdateProfilePayload = InstanceType<typeof UpdateProfilePayload>;

@ArgsType()
export class LogInArgs {
  @Field()
  @Rule(validEmail)
  email!: string;

  @Field()
  @Rule(boundedPassword)
  password!: string;
}

@ArgsType()
export class ChangePasswordArgs {
  @Field()
  @Rule(boundedPassword)
  oldPassword!: string;

  @Field({ description: 'At least 10 characters, mixing at least two of: lower-case, upper-case, digits, symbols.' })
  @Rule(boundedPassword)
  newPassword!: string;
}

@ArgsType()
export class RefreshTokenArgs {
  @Field()
  @MaxLength(LIMITS.refreshToken, { message: 'refreshToken is too long' })
  refreshToken!: string;
}
