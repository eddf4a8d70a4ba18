// Deliberate faults for the "a rule that throws never becomes an allow" tests (issue 15): each turns
// a rule's check into one that throws something, in the test process only. Not a test file.
import type { Rule } from '../../src/engine/types.js';
import { CANARY } from './helpers.js';

type Check = Rule['check'];

function recurse(depth: number): number {
  return recurse(depth + 1) + 1;
}

/** By name: the thrown value, and the class name the error finding must show. */
export const FAULTS: Record<string, (check: Check) => Check> = {
  // JSON.parse's message quotes its input: the finding must not.
  syntaxError: () => () => { JSON.parse('{"password": "' + CANARY); },
  typeError: () => () => { throw new TypeError(`deliberate fault ${CANARY}`); },
  stackOverflow: () => () => { recurse(0); },
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- a non-Error throw is the fault under test
  string: () => () => { throw CANARY; },
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- a non-Error throw is the fault under test
  null: () => () => { throw null; },
  namedLikeInput: () => () => { throw Object.assign(new Error(CANARY), { name: `${CANARY} as a name` }); },
  nameGetterThrows: () => () => {
    const error = new Error('deliberate fault');
    Object.defineProperty(error, 'name', { get: () => { throw new Error(CANARY); } });
    throw error;
  },
  // Reports what it found, then throws: the findings stay and the error is added.
  afterReport: (check) => (context) => {
    check(context);
    throw new RangeError('deliberate fault');
  },
};

/** The class name the error finding shows for each fault. */
export const FAULT_NAMES: Record<keyof typeof FAULTS, string> = {
  syntaxError: 'SyntaxError',
  typeError: 'TypeError',
  stackOverflow: 'RangeError',
  string: 'string',
  null: 'null',
  namedLikeInput: 'Error',
  nameGetterThrows: 'Error',
  afterReport: 'RangeError',
};
