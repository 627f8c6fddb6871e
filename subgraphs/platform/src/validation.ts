/**
 * One way to validate arguments: each input class declares its rules with class-validator
 * decorators beside its @Field declarations, and every subgraph's schema runs them through
 * `validateArguments` (federation.ts) before a resolver is called. The first rule an argument breaks
 * is answered as BAD_USER_INPUT with the rule's message and `extensions.field`, the path to the
 * value at fault: `items.1.quantity` inside a mutation's `input` argument (whose name the path leaves
 * out), `payment.cardNumber` inside any other input argument, or the argument's own name (`delta`).
 * Nothing has been read or written when it answers. Business rules that need state (sold out, a
 * name taken, a weak password) are typed `userErrors`, not validation.
 *
 * A rule about one element of a list (two lines of one order naming the same product) names the
 * element with `elementAt` in its context: `context: { elementAt: (list) => 'index.property' }`.
 */
import { validate, ValidateBy, ValidationError, ValidatorOptions } from 'class-validator';
import { getNamedType, GraphQLResolveInfo } from 'graphql';
import { getMetadataStorage, ValidatorFn } from 'type-graphql';
import { AppError, badInput } from './errors';

const OPTIONS: ValidatorOptions = { forbidUnknownValues: false, stopAtFirstError: true, validationError: { target: false, value: true } };

interface Failure {
  path: string[];
  message: string;
}

/** The first broken rule in class-validator's error tree, with the path to the value it judged. */
function firstFailure(errors: readonly ValidationError[], prefix: readonly string[]): Failure | null {
  for (const error of errors) {
    const path = [...prefix, error.property];
    const [rule, message] = Object.entries(error.constraints ?? {})[0] ?? [];
    if (rule && message) {
      const elementAt = (error.contexts?.[rule] as { elementAt?: (value: unknown) => string | null } | undefined)?.elementAt;
      const element = elementAt?.(error.value);
      return { path: element ? [...path, element] : path, message };
    }
    const nested = error.children?.length ? firstFailure(error.children, path) : null;
    if (nested) return nested;
  }
  return null;
}

/** Throws BAD_USER_INPUT for the first rule `value` (an input or args class instance) breaks. */
export async function assertValid(value: object, pathPrefix: readonly string[] = []): Promise<void> {
  const failure = firstFailure(await validate(value, OPTIONS), pathPrefix);
  if (failure) throw badInput(failure.message, failure.path.join('.'));
}

/**
 * The path prefix of an input-object argument: its name, except for the argument called `input`
 * (the mutation's one input object, whose fields are named on their own). Args classes (@Args)
 * hold the arguments themselves and get no prefix.
 */
function argumentPrefix(argType: unknown, info: GraphQLResolveInfo): string[] {
  const inputType = getMetadataStorage().inputTypes.find((t) => t.target === argType);
  if (!inputType) return [];
  const arg = info.parentType.getFields()[info.fieldName]?.args.find((a) => getNamedType(a.type).name === inputType.name);
  return arg && arg.name !== 'input' ? [arg.name] : [];
}

/** type-graphql's validateFn for every subgraph: runs the declared rules of each object argument. */
export const validateArguments: ValidatorFn = async (argValue, argType, { info }) => {
  if (argValue === null || typeof argValue !== 'object') return;
  const prefix = argumentPrefix(argType, info);
  const values = Array.isArray(argValue) ? argValue : [argValue];
  for (const value of values) if (value && typeof value === 'object') await assertValid(value, prefix);
};

/**
 * A declared rule from a check written as a function that throws BAD_USER_INPUT with the reason
 * (and may return the value normalised, which the rule ignores): the rule's message is the reason.
 */
export function Rule(check: (value: never) => unknown): PropertyDecorator {
  const reason = (value: unknown): string | null => {
    try {
      check(value as never);
      return null;
    } catch (e) {
      if (e instanceof AppError && e.code === 'BAD_USER_INPUT') return e.message;
      throw e;
    }
  };
  return ValidateBy({ name: check.name || 'rule', validator: { validate: (value) => reason(value) === null, defaultMessage: (args) => reason(args?.value) ?? '' } });
}

/** An optional field left empty: null, undefined or only whitespace. */
export function isBlank(value: unknown): boolean {
  return value == null || (typeof value === 'string' && value.trim() === '');
}

/** A rule that lets an empty optional field (isBlank) through. */
export function blankOr<T>(check: (value: T) => unknown): (value: T | null | undefined) => unknown {
  return (value) => (isBlank(value) ? undefined : check(value as T));
}
