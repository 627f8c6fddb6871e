import { EntityReference, productReferenceType, userExtensionType } from '@flashsale/platform';

/** A cart line's product (owned by the product subgraph). */
export const ProductRef = productReferenceType();
export type ProductRef = EntityReference;

/** The cart subgraph contributes `User.cart`. */
export const UserRef = userExtensionType();
export type UserRef = EntityReference;
