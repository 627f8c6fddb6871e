import type { EntityManager } from '@mikro-orm/mysql';
import { notFound } from '@flashsale/platform';
import { User } from '../entities/user.entity';

export class UserService {
  async get(em: EntityManager, id: string): Promise<User> {
    const user = await em.findOne(User, { id });
    if (!user) throw notFound('User not found');
    return user;
  }
}
