import { Ctx, Query, Resolver } from 'type-graphql';
import { requireUser } from '@flashsale/platform';
import { User } from '../entities/user.entity';
import type { UserContext } from '../context';

@Resolver(() => User)
export class UserResolver {
  @Query(() => User, { description: "The signed-in caller's profile." })
  async me(@Ctx() ctx: UserContext): Promise<User> {
    const { userId } = requireUser(ctx);
    return ctx.services.users.get(ctx.em, userId);
  }
}
