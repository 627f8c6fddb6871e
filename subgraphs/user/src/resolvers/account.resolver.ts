import { Arg, Args, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import { Caller, Identity } from '@flashsale/platform';
import type { UserContext } from '../context';
import {
  AuthPayload,
  ChangePasswordArgs,
  LogInArgs,
  LogOutPayload,
  RefreshTokenArgs,
  RequestEmailVerificationArgs,
  RequestEmailVerificationPayload,
  SignUpInput,
  SignUpPayload,
  UpdateProfileInput,
  UpdateProfilePayload,
} from '../types/account.types';
import { grantProfileAccess } from './profile-access';

/** Account and session mutations; each delegates to a service. */
@Resolver()
export class AccountResolver {
  @Mutation(() => RequestEmailVerificationPayload, {
    description: 'Mails a 6-digit sign-up code (valid 3 minutes, 5 tries). Same answer whether or not the address has an account.',
  })
  requestEmailVerification(@Args() { email }: RequestEmailVerificationArgs, @Ctx() ctx: UserContext): Promise<RequestEmailVerificationPayload> {
    return ctx.services.accounts.requestEmailVerification(email, ctx.clientIp);
  }

  @Mutation(() => SignUpPayload, { description: 'Creates a CUSTOMER account with the mailed code (used once).' })
  async signUp(@Arg('input') input: SignUpInput, @Ctx() ctx: UserContext): Promise<SignUpPayload> {
    const payload = await ctx.services.accounts.signUp(ctx.em, input);
    if (payload.user) grantProfileAccess(ctx, payload.user.id);
    return payload;
  }

  @Mutation(() => AuthPayload, { description: 'Starts a session: an access token (15 minutes) and a refresh token (14 days, single use).' })
  async logIn(@Args() { email, password }: LogInArgs, @Ctx() ctx: UserContext): Promise<AuthPayload> {
    const payload = await ctx.services.sessions.logIn(ctx.em, email, password, ctx.clientIp);
    if (payload.user) grantProfileAccess(ctx, payload.user.id);
    return payload;
  }

  @Mutation(() => AuthPayload, { description: 'Exchanges a refresh token for a new pair; the old refresh token dies at once.' })
  async refreshTokens(@Args() { refreshToken }: RefreshTokenArgs, @Ctx() ctx: UserContext): Promise<AuthPayload> {
    const payload = await ctx.services.sessions.refresh(ctx.em, refreshToken, ctx.clientIp);
    if (payload.user) grantProfileAccess(ctx, payload.user.id);
    return payload;
  }

  @Mutation(() => LogOutPayload, { description: 'Ends the session this refresh token belongs to.' })
  logOut(@Args() { refreshToken }: RefreshTokenArgs, @Ctx() ctx: UserContext): Promise<LogOutPayload> {
    return ctx.services.sessions.logOut(refreshToken);
  }

  @Authorized()
  @Mutation(() => LogOutPayload, { description: "Ends all of the caller's sessions (every refresh token)." })
  logOutEverywhere(@Caller() caller: Identity, @Ctx() ctx: UserContext): Promise<LogOutPayload> {
    return ctx.services.sessions.logOutEverywhere(caller.userId);
  }

  @Authorized()
  @Mutation(() => UpdateProfilePayload, { description: "Changes the caller's name, phone or address." })
  updateProfile(@Arg('input') input: UpdateProfileInput, @Caller() caller: Identity, @Ctx() ctx: UserContext): Promise<UpdateProfilePayload> {
    return ctx.services.accounts.updateProfile(ctx.em, caller.userId, input);
  }

  @Authorized()
  @Mutation(() => AuthPayload, { description: 'Changes the password, ends every session, and starts a new one for the caller.' })
  changePassword(@Args() { oldPassword, newPassword }: ChangePasswordArgs, @Caller() caller: Identity, @Ctx() ctx: UserContext): Promise<AuthPayload> {
    return ctx.services.sessions.changePassword(ctx.em, caller.userId, oldPassword, newPassword);
  }
}
