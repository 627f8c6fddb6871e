/** GraphQL-only types of the catalog: sale state, connection, admin inputs and typed outcomes. */
import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection, connectionType, PageArgs, UserErrorFields } from '@flashsale/platform';
import { Product } from '../entities/product.entity';
import { Category } from '../entities/category.entity';

export enum SaleState {
  UPCOMING = 'UPCOMING',
  OPEN = 'OPEN',
  CLOSED = 'CLOSED',
  SOLD_OUT = 'SOLD_OUT',
}
registerEnumType(SaleState, {
  name: 'SaleState',
  description: 'Where a product stands in its sale window right now.',
  valuesConfig: {
    UPCOMING: { description: 'The sale opens at saleOpensAt.' },
    OPEN: { description: 'On sale with units available.' },
    CLOSED: { description: 'The sale has closed (saleClosesAt passed) or the product is inactive.' },
    SOLD_OUT: { description: 'On sale, but nothing is available (units may come back if reservations lapse).' },
  },
});

export const ProductConnection = connectionType('Product', Product);

@ArgsType()
export class ProductsArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'Only this category.' })
  categoryId?: string | null;
}
export type ProductConnection = Connection<Product>;

export enum CatalogErrorCode {
  INVALID_NAME = 'INVALID_NAME',
  NAME_TAKEN = 'NAME_TAKEN',
  UNKNOWN_CATEGORY = 'UNKNOWN_CATEGORY',
  UNKNOWN_PRODUCT = 'UNKNOWN_PRODUCT',
  INVALID_PRICE = 'INVALID_PRICE',
  INVALID_CURRENCY = 'INVALID_CURRENCY',
  INVALID_STOCK = 'INVALID_STOCK',
  STOCK_BELOW_RESERVED = 'STOCK_BELOW_RESERVED',
  INVALID_SALE_WINDOW = 'INVALID_SALE_WINDOW',
  INVALID_MAX_PER_CUSTOMER = 'INVALID_MAX_PER_CUSTOMER',
  INVALID_DESCRIPTION = 'INVALID_DESCRIPTION',
}
registerEnumType(CatalogErrorCode, { name: 'CatalogErrorCode' });

@ObjectType('CatalogError', { description: 'Why an admin catalog change was refused; nothing was changed.' })
export class CatalogError extends UserErrorFields {
  @Field(() => CatalogErrorCode)
  code!: CatalogErrorCode;

  @Field(() => Int, { nullable: true, description: 'STOCK_BELOW_RESERVED: units held by unpaid reservations right now.' })
  reserved?: number | null;
}

export const catalogError = (code: CatalogErrorCode, message: string, field?: string, extra: Partial<CatalogError> = {}): CatalogError =>
  Object.assign(new CatalogError(), { code, message, field: field ?? null, ...extra });

@ObjectType('CategoryPayload')
export class CategoryPayload {
  @Field(() => Category, { nullable: true })
  category?: Category | null;

  @Field(() => [CatalogError])
  userErrors!: CatalogError[];
}

@ObjectType('ProductPayload')
export class ProductPayload {
  @Field(() => Product, { nullable: true })
  product?: Product | null;

  @Field(() => [CatalogError])
  userErrors!: CatalogError[];
}

@InputType('CreateCategoryInput')
export class CreateCategoryInput {
  @Field()
  name!: string;

  @Field(() => ID, { nullable: true })
  parentId?: string | null;
}

/** The product fields that are optional both on creation and on change (inherited; no argument has this type, so the schema never shows it). */
@InputType('ProductOptionalFields')
abstract class ProductOptionalFields {
  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => String, { nullable: true, description: 'ISO 4217 code; USD when a product is created without one.' })
  currency?: string | null;

  @Field(() => Int, { nullable: true, description: 'Units for sale (0 when created without); a change moves `available` by the difference.' })
  stock?: number | null;

  @Field(() => Date, { nullable: true })
  saleOpensAt?: Date | null;

  @Field(() => Date, { nullable: true })
  saleClosesAt?: Date | null;

  @Field(() => Int, { nullable: true })
  maxPerCustomer?: number | null;

  @Field(() => Boolean, { nullable: true, description: 'true when a product is created without it.' })
  active?: boolean | null;
}

@InputType('CreateProductInput')
export class CreateProductInput extends ProductOptionalFields {
  @Field()
  name!: string;

  @Field(() => Int, { description: 'Smallest currency unit; 0 or more.' })
  price!: number;

  @Field(() => ID)
  categoryId!: string;
}

/** Omitted fields stay as they are; an explicit null clears a nullable field (window, limit). */
@InputType('UpdateProductInput')
export class UpdateProductInput extends ProductOptionalFields {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => Int, { nullable: true, description: 'Smallest currency unit; 0 or more.' })
  price?: number | null;

  @Field(() => ID, { nullable: true })
  categoryId?: string | null;
}
