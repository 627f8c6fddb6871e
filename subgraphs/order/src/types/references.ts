import { EntityReference, productReferenceType, userExtensionType } from '@flashsale/platform';

/** An order line's product (owned by the product subgraph). */
export const ProductRef = productReferenceType();
export type ProductRef = EntityReference;

/** The order subgraph contributes `User.orders` and `User.ordersConnection`. */
export const UserRef = userExtensionType();
export type UserRef = EntityReference;
