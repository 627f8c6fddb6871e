import { JsonType, Platform, TransformContext } from '@mikro-orm/core';

/**
 * A JSON column (object or array values) that reads back the same on MySQL 8 and MariaDB.
 * MySQL returns JSON columns parsed, so MikroORM's mysql driver does not parse them; MariaDB
 * stores JSON as LONGTEXT and returns a string, which the plain `type: 'json'` then hands to the
 * entity unparsed. Use `@Property({ type: PortableJson })` for JSON columns.
 */
export class PortableJson extends JsonType {
  override convertToJSValue(value: unknown, platform: Platform, context?: TransformContext): unknown {
    if (typeof value === 'string' && /^\s*[[{]/.test(value)) return JSON.parse(value);
    return super.convertToJSValue(value as string, platform, context);
  }
}
