/**
 * A restricted, data-only pickle interpreter. It never imports or runs Python code: the
 * caller decides what each GLOBAL means (and refuses everything else), what REDUCE does with
 * those globals, and what a persistent id loads. Objects are plain JS values:
 * None → null, bool → boolean, int → number (bigint beyond 2^53), float → number,
 * str → string, bytes → Uint8Array, list → array, tuple → frozen array, dict → Map.
 */

/** What a GLOBAL resolves to: something REDUCE can call, or an opaque marker (e.g. a storage type). */
export interface PickleGlobal {
  readonly module: string;
  readonly name: string;
  /** Present when REDUCE may call this global; receives the argument tuple. */
  readonly call?: (args: readonly unknown[]) => unknown;
}

export interface UnpickleOptions {
  /** Prefix of every error message, e.g. `readTorchCheckpoint: data.pkl`. */
  context: string;
  /** Returns the meaning of `module.name` or throws to refuse it. */
  resolveGlobal(module: string, name: string): PickleGlobal;
  /** Called for BINPERSID; absent means persistent ids are refused. */
  persistentLoad?(pid: unknown): unknown;
  /** Called for BUILD (`obj.__setstate__(state)`); return the built object or throw to refuse. */
  build?(target: unknown, state: unknown): unknown;
}

export interface UnpickleResult {
  value: unknown;
  /** Offset just past the STOP opcode, where a following pickle (legacy torch files) starts. */
  end: number;
}

const OPCODE_NAMES: Record<number, string> = {
  0x81: 'NEWOBJ',
  0x92: 'NEWOBJ_EX',
  0x69: 'INST',
  0x6f: 'OBJ',
  0x82: 'EXT1',
  0x83: 'EXT2',
  0x84: 'EXT4',
  0x8f: 'EMPTY_SET',
  0x90: 'ADDITEMS',
  0x91: 'FROZENSET',
  0x50: 'PERSID',
  0x49: 'INT',
  0x4c: 'LONG',
  0x46: 'FLOAT',
  0x53: 'STRING',
  0x56: 'UNICODE',
  0x67: 'GET',
  0x70: 'PUT',
  0x64: 'DICT',
  0x6c: 'LIST',
  0x96: 'BYTEARRAY8',
  0x97: 'NEXT_BUFFER',
  0x98: 'READONLY_BUFFER',
};

/** Reads a little-endian two's-complement integer of any length (LONG1 / LONG4). */
function decodeLong(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]);
  if (bytes[bytes.length - 1] & 0x80) value -= 1n << BigInt(bytes.length * 8);
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/** Runs one pickle starting at `offset` and returns the object STOP leaves on the stack. */
export function unpickle(bytes: Uint8Array, offset: number, options: UnpickleOptions): UnpickleResult {
  const { context } = options;
  const fail = (message: string): never => {
    throw new Error(`${context}: ${message}`);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const latin1 = new TextDecoder('latin1');
  let pos = offset;
  let stack: unknown[] = [];
  const marks: unknown[][] = [];
  const memo = new Map<number, unknown>();

  const need = (length: number) => {
    if (length < 0 || pos + length > bytes.length) fail(`truncated pickle: needs ${length} more bytes at offset ${pos}`);
  };
  const take = (length: number): Uint8Array => {
    need(length);
    const out = bytes.subarray(pos, pos + length);
    pos += length;
    return out;
  };
  const u8 = () => (need(1), bytes[pos++]);
  const u16 = () => (need(2), (pos += 2), view.getUint16(pos - 2, true));
  const u32 = () => (need(4), (pos += 4), view.getUint32(pos - 4, true));
  const i32 = () => (need(4), (pos += 4), view.getInt32(pos - 4, true));
  const u64 = () => {
    need(8);
    const value = view.getBigUint64(pos, true);
    pos += 8;
    if (value > BigInt(bytes.length)) fail(`truncated pickle: length ${value} at offset ${pos - 8} exceeds the data`);
    return Number(value);
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail(`truncated pickle: unterminated line at offset ${pos}`);
    const text = latin1.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return text;
  };
  const text = (length: number): string => {
    const raw = take(length);
    try {
      return utf8.decode(raw);
    } catch {
      return fail(`invalid UTF-8 string at offset ${pos - length}`);
    }
  };
  const pop = (): unknown => {
    if (stack.length === 0) fail(`stack underflow at offset ${pos - 1}`);
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) fail(`stack underflow at offset ${pos - 1}`);
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const items = stack;
    const previous = marks.pop();
    if (!previous) fail(`MARK expected before offset ${pos - 1}`);
    stack = previous as unknown[];
    return items;
  };
  const tuple = (items: unknown[]): readonly unknown[] => Object.freeze(items);
  const asDict = (value: unknown, op: string): Map<unknown, unknown> => {
    if (!(value instanceof Map)) fail(`${op} on a non-dict at offset ${pos - 1}`);
    return value as Map<unknown, unknown>;
  };
  const asList = (value: unknown, op: string): unknown[] => {
    if (!Array.isArray(value) || Object.isFrozen(value)) fail(`${op} on a non-list at offset ${pos - 1}`);
    return value as unknown[];
  };
  const memoGet = (index: number): unknown => {
    if (!memo.has(index)) fail(`memo key ${index} is not defined (offset ${pos})`);
    return memo.get(index);
  };
  const global = (module: string, name: string) => stack.push(options.resolveGlobal(module, name));

  for (;;) {
    const opcodeOffset = pos;
    const opcode = u8();
    switch (opcode) {
      case 0x80: // PROTO
        if (u8() > 5) fail(`unsupported pickle protocol ${bytes[pos - 1]}`);
        break;
      case 0x95: // FRAME: framing is only a hint for buffered readers
        u64();
        break;
      case 0x2e: // STOP
        if (stack.length !== 1 || marks.length !== 0) fail(`malformed pickle: STOP with ${stack.length} values on the stack`);
        return { value: stack[0], end: pos };
      case 0x28: // MARK
        marks.push(stack);
        stack = [];
        break;
      case 0x30: // POP
        pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4a: // BININT
        stack.push(i32());
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: // LONG1
        stack.push(decodeLong(take(u8())));
        break;
      case 0x8b: {
        // LONG4
        const length = i32();
        if (length < 0) fail(`negative LONG4 length at offset ${opcodeOffset}`);
        // decoding is quadratic in the length; no integer in a weight file needs more than a few bytes
        if (length > 1024) fail(`integer of ${length} bytes at offset ${opcodeOffset} is too large`);
        stack.push(decodeLong(take(length)));
        break;
      }
      case 0x47: // BINFLOAT: big-endian float64
        need(8);
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break;
      case 0x58: // BINUNICODE
        stack.push(text(u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text(u8()));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(text(u64()));
        break;
      case 0x54: {
        // BINSTRING (Python 2 str): bytes, read as latin-1 as Python 3 does with encoding='latin1'
        const length = i32();
        stack.push(latin1.decode(take(length)));
        break;
      }
      case 0x55: // SHORT_BINSTRING
        stack.push(latin1.decode(take(u8())));
        break;
      case 0x42: // BINBYTES
        stack.push(new Uint8Array(take(u32())));
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(new Uint8Array(take(u8())));
        break;
      case 0x8e: // BINBYTES8
        stack.push(new Uint8Array(take(u64())));
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(tuple([]));
        break;
      case 0x74: {
        // TUPLE (popMark swaps `stack`, so pop before touching it)
        const items = tuple(popMark());
        stack.push(items);
        break;
      }
      case 0x85: // TUPLE1
        stack.push(tuple([pop()]));
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push(tuple([pop(), b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push(tuple([pop(), b, c]));
        break;
      }
      case 0x61: {
        // APPEND
        const value = pop();
        asList(top(), 'APPEND').push(value);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        const list = asList(top(), 'APPENDS');
        for (const item of items) list.push(item);
        break;
      }
      case 0x73: {
        // SETITEM
        const value = pop();
        const key = pop();
        asDict(top(), 'SETITEM').set(key, value);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        if (items.length % 2 !== 0) fail(`SETITEMS with an odd number of items at offset ${opcodeOffset}`);
        const dict = asDict(top(), 'SETITEMS');
        for (let i = 0; i < items.length; i += 2) dict.set(items[i], items[i + 1]);
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
        stack.push(memoGet(u8()));
        break;
      case 0x6a: // LONG_BINGET
        stack.push(memoGet(u32()));
        break;
      case 0x63: {
        // GLOBAL: "module\nname\n"
        const module = line();
        global(module, line());
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail(`STACK_GLOBAL needs two strings at offset ${opcodeOffset}`);
        global(module as string, name as string);
        break;
      }
      case 0x52: {
        // REDUCE: callable(*args)
        const args = pop();
        const callable = pop() as PickleGlobal;
        if (!Array.isArray(args)) fail(`REDUCE arguments are not a tuple at offset ${opcodeOffset}`);
        if (typeof callable !== 'object' || callable === null || typeof callable.call !== 'function') {
          fail(`REDUCE on something that is not an allowed callable at offset ${opcodeOffset}`);
        }
        stack.push(callable.call!(args as unknown[]));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        const target = pop();
        if (!options.build) fail(`BUILD is not allowed (offset ${opcodeOffset})`);
        stack.push(options.build!(target, state));
        break;
      }
      case 0x51: {
        // BINPERSID
        const pid = pop();
        if (!options.persistentLoad) fail(`persistent ids are not allowed (offset ${opcodeOffset})`);
        stack.push(options.persistentLoad!(pid));
        break;
      }
      default: {
        const name = OPCODE_NAMES[opcode] ?? `0x${opcode.toString(16).padStart(2, '0')}`;
        fail(`unsupported pickle opcode ${name} at offset ${opcodeOffset}: only plain data, tensors and ordered dicts can be loaded`);
      }
    }
  }
}
