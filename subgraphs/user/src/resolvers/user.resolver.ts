import { Authorized, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { Caller, Identity } from '@flashsale/platform';
import { User } from '../entities/user.entity';
import type { UserContext } from '../context';
import { assertProfileAccess } from './profile-access';

/**
 * `me` and the fields of User that only the user or an admin may read (the personal ones decrypted
 * on read; roles and createdAt as stored). Other subgraphs and anonymous `_entities` get the id only.
 */
@Resolver(() => User)
export class UserResolver {
  @Authorized()
  @Query(() => User, { description: "The signed-in caller's profile." })
  async me(@Caller() caller: Identity, @Ctx() ctx: UserContext): Promise<User> {
    return ctx.services.accounts.get(ctx.em, caller.userId);
  }

  /** Not personal data, but nothing the public API shows anyone else (anonymous `_entities` included). */
  @FieldResolver(() => [String])
  roles(@Root() user: User, @Ctx() ctx: UserContext): string[] {
    assertProfileAccess(ctx, user.id);
    return user.roles;
  }

  @FieldResolver(() => Date)
  createdAt(@Root() user: User, @Ctx() ctx: UserContext): Date {
    assertProfileAccess(ctx, user.id);
    return user.createdAt;
  }

  @FieldResolver(() => String)
  email(@Root() user: User, @Ctx() ctx: UserContext): string {
    assertProfileAccess(ctx, user.id);
    return ctx.services.accounts.reveal(user, 'email')!;
  }

  @FieldResolver(() => String)
  name(@Root() user: User, @Ctx() ctx: UserContext): string {
    assertProfileAccess(ctx, user.id);
    return ctx.services.accounts.reveal(user, 'name')!;
  }

  @FieldResolver(() => String, { nullable: true })
  phone(@Root() user: User, @Ctx() ctx: UserContext): string | null {
    assertProfileAccess(ctx, user.id);
    return ctx.services.accounts.reveal(user, 'phone');
  }

  @FieldResolver(() => String, { nullable: true })
  address(@Root() user: User, @Ctx() ctx: UserContext): string | null {
    assertProfileAccess(ctx, user.id);
    return ctx.services.accounts.reveal(user, 'address');
  }
}
