/**
 * The error `fn` throws, for tests that check what an error says; a call that throws nothing
 * fails the test, with `nothing` saying what happened instead.
 */
export function thrown<E extends Error = Error>(fn: () => unknown, nothing = 'expected an error, none was thrown'): E {
  try {
    fn();
  } catch (err) {
    return err as E;
  }
  throw new Error(nothing);
}
