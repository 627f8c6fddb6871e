import { Entity, Opt, PrimaryKey, Property } from '@mikro-orm/core';
import { Directive, Field, ID, ObjectType } from 'type-graphql';
import { randomUUID } from 'node:crypto';
import { PortableJson, type Role } from '@flashsale/platform';

/**
 * A customer or admin. Email, name, phone and address are stored only as AES-256-GCM blobs (see
 * services/pii.ts); `emailIndex` is the keyed blind index that makes the email unique and
 * searchable without decrypting. The GraphQL fields for the personal data are resolved (and
 * decrypted) in resolvers/user.resolver.ts, for the user themself or an admin only.
 */
@ObjectType('User')
@Directive('@key(fields: "id")')
@Entity({ tableName: 'user' })
export class User {
  @Field(() => ID)
  @PrimaryKey({ length: 36 })
  id: string = randomUUID();

  /** HMAC-SHA256 (hex) of the normalised email under BLIND_INDEX_KEY. */
  @Property({ length: 64, unique: 'user_email_index_unique' })
  emailIndex!: string;

  @Property({ type: 'text' })
  emailCipher!: string;

  @Property({ type: 'text' })
  nameCipher!: string;

  @Property({ type: 'text', nullable: true })
  phoneCipher: (string & Opt) | null = null;

  @Property({ type: 'text', nullable: true })
  addressCipher: (string & Opt) | null = null;

  /** argon2id encoded hash (algorithm, parameters and salt included). */
  @Property({ length: 255, lazy: true })
  passwordHash!: string;

  @Field(() => [String])
  @Property({ type: PortableJson })
  roles: Role[] & Opt = ['CUSTOMER'];

  @Field(() => Date)
  @Property({ type: 'datetime', length: 3 })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'datetime', length: 3, onUpdate: () => new Date() })
  updatedAt: Date & Opt = new Date();
}
