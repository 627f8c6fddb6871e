import { batchedReference } from '@flashsale/platform';
import type { UserContext } from '../context';
import { User } from '../entities/user.entity';

/** `_entities` for User: one query per batch. */
export const userReference = {
  __resolveReference: batchedReference<UserContext, User>(async (ids, ctx) => {
    const users = await ctx.em.find(User, { id: { $in: [...ids] } });
    return new Map(users.map((u) => [u.id, u]));
  }),
};
