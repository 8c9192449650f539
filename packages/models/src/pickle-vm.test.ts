import { unpickle, type PickleGlobal, type UnpickleOptions } from './pickle-vm';

// Byte strings below were produced by CPython's pickle.dumps (see the comment on each), so the
// interpreter is checked against the reference implementation's output, not our own.
const hex = (text: string) => Uint8Array.from(text.match(/../g)!.map((byte) => parseInt(byte, 16)));

const refuseAll: UnpickleOptions = {
  context: 'test',
  resolveGlobal: (module, name) => {
    throw new Error(`test: refusing to load global '${module}.${name}'`);
  },
};

const SAMPLE = {
  // pickle.dumps({'a': [1, 2.5, None, True, False], 'b': (1, 2, 3), 'c': 2**70, 'd': -5, 'e': 'ü€', 'g': -2**40,
  //   'h': (), 'i': (7,), 'j': ((1, 2), [3]), 'k': 65535, 'l': -1.5e-300, 'm': {1: 'one'}, 'n': 70000}, protocol=2)
  protocol2:
    '80027d71002858010000006171015d7102284b014740040000000000004e88896558010000006271034b014b024b0387710458010000006371058a0900000000000000004058010000006471064afbffffff58010000006571075805000000c3bce282ac710858010000006771098a060000000000ff580100000068710a29580100000069710b4b0785710c58010000006a710d4b014b0286710e5d710f4b036186711058010000006b71114dffff58010000006c71124781b01297d23ab68358010000006d71137d71144b0158030000006f6e6571157358010000006e71164a70110100752e',
  // the same dict plus 'f': b'xy' and without 'n', protocol=4 (FRAME, SHORT_BINUNICODE, MEMOIZE, SHORT_BINBYTES)
  protocol4:
    '800495a1000000000000007d94288c0161945d94284b014740040000000000004e8889658c0162944b014b024b0387948c0163948a090000000000000000408c0164944afbffffff8c0165948c05c3bce282ac948c01669443027879948c0167948a060000000000ff8c016894298c0169944b0785948c016a944b014b0286945d944b036186948c016b944dffff8c016c944781b01297d23ab6838c016d947d944b018c036f6e659473752e',
};

function expectSampleValues(dict: Map<unknown, unknown>) {
  expect(dict.get('a')).toEqual([1, 2.5, null, true, false]);
  expect(dict.get('b')).toEqual([1, 2, 3]);
  expect(Object.isFrozen(dict.get('b'))).toBe(true); // tuples are frozen, lists are not
  expect(Object.isFrozen(dict.get('a'))).toBe(false);
  expect(dict.get('c')).toBe(2n ** 70n);
  expect(dict.get('d')).toBe(-5);
  expect(dict.get('e')).toBe('ü€');
  expect(dict.get('g')).toBe(-(2 ** 40));
  expect(dict.get('h')).toEqual([]);
  expect(dict.get('i')).toEqual([7]);
  expect(dict.get('j')).toEqual([[1, 2], [3]]);
  expect(dict.get('k')).toBe(65535);
  expect(dict.get('l')).toBe(-1.5e-300);
  expect(dict.get('m')).toEqual(new Map([[1, 'one']]));
}

describe('unpickle', () => {
  test('reads primitives, lists, tuples and dicts written by CPython at protocol 2', () => {
    const bytes = hex(SAMPLE.protocol2);
    const { value, end } = unpickle(bytes, 0, refuseAll);
    expect(end).toBe(bytes.length);
    expectSampleValues(value as Map<unknown, unknown>);
    expect((value as Map<unknown, unknown>).get('n')).toBe(70000);
  });

  test('reads protocol 4 (frames, memoize, short strings, bytes)', () => {
    const { value } = unpickle(hex(SAMPLE.protocol4), 0, refuseAll);
    expectSampleValues(value as Map<unknown, unknown>);
    expect((value as Map<unknown, unknown>).get('f')).toEqual(new Uint8Array([0x78, 0x79]));
  });

  test('memo references return the same object (l = [1]; pickle.dumps([l, l]))', () => {
    const { value } = unpickle(hex('80025d7100285d71014b01616801652e'), 0, refuseAll);
    const [first, second] = value as unknown[][];
    expect(first).toEqual([1]);
    expect(second).toBe(first);
  });

  test('starts at an offset and reports where the pickle ends', () => {
    const one = hex('80025d7100285d71014b01616801652e');
    const two = new Uint8Array([...one, ...one]);
    const { end } = unpickle(two, 0, refuseAll);
    expect(end).toBe(one.length);
    expect(unpickle(two, end, refuseAll).end).toBe(two.length);
  });

  test('asks resolveGlobal about every global and calls only what it returns', () => {
    // pickle.dumps(collections.OrderedDict(a=1), protocol=2)
    const bytes = hex('800263636f6c6c656374696f6e730a4f726465726564446963740a71002952710158010000006171024b01732e');
    const seen: string[] = [];
    const { value } = unpickle(bytes, 0, {
      context: 'test',
      resolveGlobal: (module, name): PickleGlobal => {
        seen.push(`${module}.${name}`);
        return { module, name, call: () => new Map() };
      },
    });
    expect(seen).toEqual(['collections.OrderedDict']);
    expect(value).toEqual(new Map([['a', 1]]));
    // pickle.dumps(fractions.Fraction(1, 3), protocol=2): refused before anything is called
    expect(() => unpickle(hex('8002636672616374696f6e730a4672616374696f6e0a71004b014b038671015271022e'), 0, refuseAll)).toThrow(
      "test: refusing to load global 'fractions.Fraction'",
    );
  });

  test('REDUCE on a global without a call is refused', () => {
    const bytes = hex('800263636f6c6c656374696f6e730a4f726465726564446963740a71002952710158010000006171024b01732e');
    expect(() => unpickle(bytes, 0, { context: 'test', resolveGlobal: (module, name) => ({ module, name }) })).toThrow(
      /^test: REDUCE on something that is not an allowed callable/,
    );
  });

  test('refuses opcodes outside plain data (sets, object construction)', () => {
    // pickle.dumps({1, 2}, protocol=4)
    expect(() => unpickle(hex('80049509000000000000008f94284b014b02902e'), 0, refuseAll)).toThrow(
      /^test: unsupported pickle opcode EMPTY_SET at offset 11/,
    );
    // NEWOBJ after two Nones
    expect(() => unpickle(new Uint8Array([0x80, 0x02, 0x4e, 0x4e, 0x81, 0x2e]), 0, refuseAll)).toThrow(/unsupported pickle opcode NEWOBJ/);
    expect(() => unpickle(new Uint8Array([0x80, 0x02, 0x4e, 0x51, 0x2e]), 0, refuseAll)).toThrow(/persistent ids are not allowed/);
  });

  test('never reads past the end of a truncated or malformed pickle', () => {
    const bytes = hex(SAMPLE.protocol2);
    for (const cut of [1, 2, 10, 40, bytes.length - 1]) {
      expect(() => unpickle(bytes.subarray(0, cut), 0, refuseAll)).toThrow(/^test: (truncated pickle|stack underflow|MARK expected|malformed)/);
    }
    expect(() => unpickle(new Uint8Array([0x80, 0x02, 0x68, 0x05, 0x2e]), 0, refuseAll)).toThrow('test: memo key 5 is not defined');
    expect(() => unpickle(new Uint8Array([0x80, 0x02, 0x4e, 0x4e, 0x2e]), 0, refuseAll)).toThrow(/STOP with 2 values/);
    // LONG4 of 100 kB: refused rather than decoded in quadratic time
    const long4 = new Uint8Array(2 + 5 + 100_000 + 1);
    long4.set([0x80, 0x02, 0x8b, 0xa0, 0x86, 0x01, 0x00]);
    expect(() => unpickle(long4, 0, refuseAll)).toThrow('test: integer of 100000 bytes at offset 2 is too large');
    // BINUNICODE claiming 4 GB
    expect(() => unpickle(new Uint8Array([0x80, 0x02, 0x58, 0xff, 0xff, 0xff, 0xff, 0x61]), 0, refuseAll)).toThrow(/truncated pickle/);
  });
});
