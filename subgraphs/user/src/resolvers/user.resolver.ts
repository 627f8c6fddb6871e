import { Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { requireUser } from '@flashsale/platform';
import { User } from '../entities/user.entity';
import type { UserContext } from '../context';
import { assertProfileAccess } from './profile-access';

/** `me` and the personal fields of User, decrypted on read for the user or an admin. */
@Resolver(() => User)
export class UserResolver {
  @Query(() => User, { description: "The signed-in caller's profile." })
  async me(@Ctx() ctx: UserContext): Promise<User> {
    const { userId } = requireUser(ctx);
    return ctx.services.accounts.get(ctx.em, userId);
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
