import { expect } from 'vitest';

// expect's asymmetric matchers are typed `any`, which would switch type checking off wherever one
// is used; these give them the type `unknown` (they match a value, they are not one).

/** A string containing `pattern` (text) or matching it (regular expression). */
export const like = (pattern: RegExp | string): unknown =>
  typeof pattern === 'string' ? expect.stringContaining(pattern) : expect.stringMatching(pattern);

/** Any value built by `constructor` (`anyOf(String)`, `anyOf(Number)`, `anyOf(Date)`). */
export const anyOf = (constructor: StringConstructor | NumberConstructor | DateConstructor): unknown =>
  expect.any(constructor);
