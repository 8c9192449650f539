import { unpickle, type PickleGlobal } from './pickle-vm';
import { decodeTensorBytes, DTYPE_BYTE_SIZE } from './state-dict-dtypes';
import type { StateDict, TensorData, TensorDType, TensorValues } from './state-dict-types';
import type { CheckpointValue, ReadTorchCheckpointOptions } from './torch-checkpoint-types';
import { readZipEntries } from './zip-reader';

const FN = 'readTorchCheckpoint';

/** Legacy storage classes name the dtype; torch ≥ 1.6 still pickles these names. */
const STORAGE_DTYPES: Readonly<Record<string, TensorDType>> = {
  FloatStorage: 'float32',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  DoubleStorage: 'float64',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
  UntypedStorage: 'uint8',
};

/** Keys under which training scripts commonly nest the model's state dict, in order of preference. */
const NESTED_STATE_DICT_KEYS = ['state_dict', 'model_state_dict', 'model'] as const;

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;

const MAX_EXPANDED_ELEMENTS = 1 << 24;

interface StorageGlobal extends PickleGlobal {
  readonly storageDType: TensorDType;
}

/** A torch storage: raw little-endian bytes, possibly a window of a larger (legacy) root storage. */
class TorchStorage {
  private bytes?: Uint8Array;
  private decoded?: TensorValues;

  constructor(
    readonly key: string,
    readonly dtype: TensorDType,
    readonly numel: number,
    private readonly root?: { storage: TorchStorage; byteOffset: number },
  ) {}

  setBytes(bytes: Uint8Array): void {
    this.bytes = bytes;
  }

  rawBytes(): Uint8Array {
    if (this.root) {
      const rootBytes = this.root.storage.rawBytes();
      return rootBytes.subarray(this.root.byteOffset, this.root.byteOffset + this.numel * DTYPE_BYTE_SIZE[this.dtype]);
    }
    if (!this.bytes) throw new Error(`${FN}: storage '${this.key}' has no data in the file`);
    return this.bytes;
  }

  /** The whole storage decoded once; strided views and shared storages gather from it. */
  values(): TensorValues {
    this.decoded ??= decodeTensorBytes(this.rawBytes(), 0, this.dtype, this.numel);
    return this.decoded;
  }
}

function isTensorData(value: unknown): value is TensorData {
  return typeof value === 'object' && value !== null && !(value instanceof Map) && !Array.isArray(value) && 'data' in value;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function describe(value: unknown): string {
  if (value === null) return 'None';
  if (value instanceof Map) return 'a dict';
  if (Array.isArray(value)) return Object.isFrozen(value) ? 'a tuple' : 'a list';
  if (value instanceof Uint8Array) return 'bytes';
  if (isTensorData(value)) return 'a tensor';
  return `a ${typeof value}`;
}

/** Copies the elements a (size, stride, offset) view selects from its storage, in row-major order. */
function materialise(storage: TorchStorage, offset: number, shape: number[], stride: number[]): TensorValues {
  const numel = shape.reduce((a, b) => a * b, 1);
  const elementSize = DTYPE_BYTE_SIZE[storage.dtype];
  if (numel === 0) return decodeTensorBytes(new Uint8Array(0), 0, storage.dtype, 0);
  // zero strides let a tiny storage describe a huge tensor; refuse to blow it up in memory
  if (numel > storage.numel && numel > MAX_EXPANDED_ELEMENTS) {
    throw new Error(
      `${FN}: tensor of ${numel} elements is an expanded view of the ${storage.numel}-element storage '${storage.key}'; refusing to materialise more than ${MAX_EXPANDED_ELEMENTS}`,
    );
  }
  let lastIndex = offset;
  for (let d = 0; d < shape.length; d++) lastIndex += (shape[d] - 1) * stride[d];
  if (lastIndex >= storage.numel) {
    throw new Error(
      `${FN}: tensor view (offset ${offset}, size [${shape.join(', ')}], stride [${stride.join(', ')}]) reaches element ${lastIndex} of storage '${storage.key}' which has ${storage.numel}`,
    );
  }
  let contiguous = true;
  for (let d = shape.length - 1, expected = 1; d >= 0; d--) {
    if (shape[d] !== 1 && stride[d] !== expected) contiguous = false;
    expected *= shape[d];
  }
  if (contiguous) return decodeTensorBytes(storage.rawBytes(), offset * elementSize, storage.dtype, numel);

  const source = storage.values() as unknown as { [index: number]: unknown };
  const out = decodeTensorBytes(new Uint8Array(numel * elementSize), 0, storage.dtype, numel);
  const target = out as unknown as { [index: number]: unknown };
  const index = new Array<number>(shape.length).fill(0);
  let sourceIndex = offset;
  for (let i = 0; i < numel; i++) {
    target[i] = source[sourceIndex];
    // odometer over the dims, last dim fastest
    for (let d = shape.length - 1; d >= 0; d--) {
      index[d]++;
      sourceIndex += stride[d];
      if (index[d] < shape[d]) break;
      sourceIndex -= shape[d] * stride[d];
      index[d] = 0;
    }
  }
  return out;
}

/**
 * The unpickling environment shared by the zip and legacy formats: an allowlist of globals,
 * storage loading through persistent ids, and tensors whose data is filled in once every
 * storage's bytes are known (legacy files store them after the pickle).
 */
function createTorchUnpickler(context: string, lookupStorage: (pid: readonly unknown[], storageDType: TensorDType) => TorchStorage) {
  const pending: (() => void)[] = [];
  const fail = (message: string): never => {
    throw new Error(`${context}: ${message}`);
  };

  const rebuildTensor = (args: readonly unknown[]): TensorData => {
    const [storage, offset, size, stride] = args;
    if (!(storage instanceof TorchStorage)) return fail(`tensor storage is ${describe(storage)}, not a storage`);
    if (!isCount(offset)) return fail(`tensor storage offset must be a non-negative integer, got ${String(offset)}`);
    if (!Array.isArray(size) || !size.every(isCount)) return fail(`tensor size must be non-negative integers, got ${describe(size)}`);
    if (!Array.isArray(stride) || stride.length !== size.length || !stride.every(isCount)) {
      return fail(`tensor stride must be ${size.length} non-negative integers, got ${describe(stride)}`);
    }
    const hooks = args[5];
    if (hooks !== undefined && hooks !== null && !(hooks instanceof Map && hooks.size === 0)) {
      return fail('tensor has backward hooks, which cannot be loaded as data');
    }
    const shape = [...(size as number[])];
    const tensor: TensorData = { dtype: storage.dtype, shape, data: new Float32Array(0) };
    pending.push(() => {
      tensor.data = materialise(storage, offset as number, shape, [...(stride as number[])]);
    });
    return tensor;
  };

  const callables: Record<string, (args: readonly unknown[]) => unknown> = {
    'collections.OrderedDict': (args) => {
      const dict = new Map<unknown, unknown>();
      if (args.length > 0) {
        if (!Array.isArray(args[0])) fail('OrderedDict argument is not a list of pairs');
        for (const pair of args[0] as unknown[]) {
          if (!Array.isArray(pair) || pair.length !== 2) fail('OrderedDict argument is not a list of pairs');
          dict.set((pair as unknown[])[0], (pair as unknown[])[1]);
        }
      }
      return dict;
    },
    'torch._utils._rebuild_tensor': rebuildTensor,
    'torch._utils._rebuild_tensor_v2': rebuildTensor,
    'torch._utils._rebuild_parameter': (args) => {
      if (!isTensorData(args[0])) fail(`parameter data is ${describe(args[0])}, not a tensor`);
      return args[0];
    },
    'torch._utils._rebuild_parameter_with_state': (args) => {
      if (!isTensorData(args[0])) fail(`parameter data is ${describe(args[0])}, not a tensor`);
      return args[0];
    },
    'torch.Size': (args) => {
      if (!Array.isArray(args[0]) || !args[0].every(isCount)) fail('torch.Size argument is not a tuple of sizes');
      return args[0];
    },
  };

  const resolveGlobal = (module: string, name: string): PickleGlobal => {
    const qualified = `${module}.${name}`;
    const callable = Object.hasOwn(callables, qualified) ? callables[qualified] : undefined;
    if (callable) return { module, name, call: callable };
    if ((module === 'torch' || module === 'torch.cuda' || module === 'torch.storage') && Object.hasOwn(STORAGE_DTYPES, name)) {
      const storageGlobal: StorageGlobal = { module, name, storageDType: STORAGE_DTYPES[name] };
      return storageGlobal;
    }
    return fail(`refusing to load global '${qualified}': only tensors, ordered dicts and primitive values are allowed`);
  };

  const persistentLoad = (pid: unknown): TorchStorage => {
    if (!Array.isArray(pid) || pid[0] !== 'storage') return fail(`unsupported persistent id ${describe(pid)}`);
    const storageType = pid[1] as StorageGlobal | undefined;
    if (!storageType || typeof storageType !== 'object' || !('storageDType' in storageType)) {
      return fail('persistent id does not name a storage type');
    }
    return lookupStorage(pid, storageType.storageDType);
  };

  const build = (target: unknown, state: unknown): unknown => {
    // OrderedDict attributes such as `_metadata` (module versions): not part of the weights.
    if (target instanceof Map && (state === null || state instanceof Map)) return target;
    return fail(`cannot set state on ${describe(target)}: only ordered dicts may carry attributes`);
  };

  const finish = (): void => {
    for (const fill of pending) fill();
  };
  return { options: { context, resolveGlobal, persistentLoad, build }, finish };
}

function readZipCheckpoint(bytes: Uint8Array, verify: boolean): CheckpointValue {
  const entries = readZipEntries(bytes, FN);
  const pickles = [...entries.keys()].filter((name) => name === 'data.pkl' || /^[^/]+\/data\.pkl$/.test(name));
  if (pickles.length !== 1) {
    throw new Error(`${FN}: zip archive is not a torch.save checkpoint (expected one '<archive>/data.pkl', found ${pickles.length})`);
  }
  const prefix = pickles[0].slice(0, -'data.pkl'.length);
  if (entries.has(`${prefix}constants.pkl`) || [...entries.keys()].some((name) => name.startsWith(`${prefix}code/`))) {
    throw new Error(`${FN}: this is a TorchScript archive (torch.jit.save); in Python, save model.state_dict() with torch.save instead`);
  }
  const byteorder = entries.get(`${prefix}byteorder`);
  const bigEndian = byteorder !== undefined && new TextDecoder().decode(byteorder.read({ verify })).trim() === 'big';

  const storages = new Map<string, TorchStorage>();
  const { options, finish } = createTorchUnpickler(`${FN}: ${pickles[0]}`, (pid, dtype) => {
    const [, , key, , numel] = pid;
    if (typeof key !== 'string' || !isCount(numel)) throw new Error(`${FN}: malformed storage persistent id`);
    const existing = storages.get(key);
    if (existing) {
      if (existing.dtype !== dtype) throw new Error(`${FN}: storage '${key}' is used as both ${existing.dtype} and ${dtype}`);
      return existing;
    }
    const entry = entries.get(`${prefix}data/${key}`);
    if (!entry) throw new Error(`${FN}: storage '${key}' is missing from the archive (no '${prefix}data/${key}')`);
    const needed = numel * DTYPE_BYTE_SIZE[dtype];
    if (entry.size < needed) {
      throw new Error(`${FN}: storage '${key}' holds ${entry.size} bytes but ${numel} ${dtype} elements need ${needed}`);
    }
    let raw = entry.read({ verify }).subarray(0, needed);
    if (bigEndian && DTYPE_BYTE_SIZE[dtype] > 1) raw = swapBytes(raw, DTYPE_BYTE_SIZE[dtype]);
    const storage = new TorchStorage(key, dtype, numel);
    storage.setBytes(raw);
    storages.set(key, storage);
    return storage;
  });
  const { value } = unpickle(entries.get(pickles[0])!.read({ verify }), 0, options);
  finish();
  return value as CheckpointValue;
}

function swapBytes(bytes: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(bytes); // copies (Buffer#slice would not)
  for (let i = 0; i < out.length; i += size) out.subarray(i, i + size).reverse();
  return out;
}

/**
 * The pre-1.6 format: five pickles back to back (magic number, protocol version, system
 * info, the object, the storage keys), then each storage as a u64 element count and raw bytes.
 */
function readLegacyCheckpoint(bytes: Uint8Array): CheckpointValue {
  const plain = (context: string) => ({
    context: `${FN}: legacy ${context}`,
    resolveGlobal: (module: string, name: string): PickleGlobal => {
      throw new Error(`${FN}: refusing to load global '${module}.${name}': only tensors, ordered dicts and primitive values are allowed`);
    },
  });
  let offset = 0;
  const magic = unpickle(bytes, offset, plain('magic number'));
  if (magic.value !== LEGACY_MAGIC) throw new Error(`${FN}: not a PyTorch checkpoint (neither a zip archive nor the legacy format)`);
  const protocol = unpickle(bytes, magic.end, plain('protocol version'));
  if (protocol.value !== 1001) throw new Error(`${FN}: unsupported legacy protocol version ${String(protocol.value)}`);
  const sysInfo = unpickle(bytes, protocol.end, plain('system info'));
  const info = sysInfo.value instanceof Map ? sysInfo.value : new Map();
  const littleEndian = info.get('little_endian') !== false;
  offset = sysInfo.end;

  const storages = new Map<string, TorchStorage>();
  const { options, finish } = createTorchUnpickler(`${FN}: legacy pickle`, (pid, dtype) => {
    const [, , rootKey, , numel, viewMetadata] = pid;
    if (typeof rootKey !== 'string' || !isCount(numel)) throw new Error(`${FN}: malformed legacy storage id`);
    let root = storages.get(rootKey);
    if (!root) {
      root = new TorchStorage(rootKey, dtype, numel);
      storages.set(rootKey, root);
    }
    if (viewMetadata === null || viewMetadata === undefined) return root;
    const [viewKey, viewOffset, viewSize] = viewMetadata as unknown[];
    if (typeof viewKey !== 'string' || !isCount(viewOffset) || !isCount(viewSize) || viewOffset + viewSize > root.numel) {
      throw new Error(`${FN}: malformed legacy storage view of '${rootKey}'`);
    }
    let view = storages.get(viewKey);
    if (!view) {
      view = new TorchStorage(viewKey, dtype, viewSize, { storage: root, byteOffset: viewOffset * DTYPE_BYTE_SIZE[dtype] });
      storages.set(viewKey, view);
    }
    return view;
  });
  const body = unpickle(bytes, offset, options);
  const keys = unpickle(bytes, body.end, plain('storage keys'));
  if (!Array.isArray(keys.value) || !keys.value.every((key) => typeof key === 'string')) {
    throw new Error(`${FN}: legacy storage key list is malformed`);
  }
  offset = keys.end;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const key of keys.value as string[]) {
    const storage = storages.get(key);
    if (!storage) throw new Error(`${FN}: legacy storage '${key}' is listed but never used`);
    if (offset + 8 > bytes.length) throw new Error(`${FN}: truncated file: storage '${key}' header lies past the end`);
    const count = view.getBigUint64(offset, littleEndian);
    if (count !== BigInt(storage.numel)) {
      throw new Error(`${FN}: legacy storage '${key}' records ${count} elements but the pickle says ${storage.numel}`);
    }
    const size = DTYPE_BYTE_SIZE[storage.dtype];
    const end = offset + 8 + storage.numel * size;
    if (end > bytes.length) {
      throw new Error(`${FN}: truncated file: storage '${key}' needs bytes up to ${end} but the file has ${bytes.length}`);
    }
    const raw = bytes.subarray(offset + 8, end);
    storage.setBytes(!littleEndian && size > 1 ? swapBytes(raw, size) : raw);
    offset = end;
  }
  finish();
  return body.value as CheckpointValue;
}

/**
 * Reads a checkpoint written by `torch.save` into plain data: tensors become
 * {@link TensorData}, dicts `Map`s (see {@link CheckpointValue}). No Python code runs: only
 * tensors, parameters, (ordered) dicts, lists, tuples and primitives are accepted; any other
 * global in the pickle (a custom class, `os.system`, ...) throws before anything is built.
 * Reads the zip format (torch ≥ 1.6, CRC-32 checked unless `verifyChecksums: false`) and the
 * legacy format (`_use_new_zipfile_serialization=False`, which has no checksums).
 */
export function readTorchCheckpointObject(bytes: Uint8Array | ArrayBuffer, options: ReadTorchCheckpointOptions = {}): CheckpointValue {
  if (!(bytes instanceof Uint8Array) && !(bytes instanceof ArrayBuffer)) {
    throw new Error(`${FN}: expected a Uint8Array or ArrayBuffer, got ${bytes === null ? 'null' : typeof bytes}`);
  }
  const file = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (file.length >= 4 && file[0] === 0x50 && file[1] === 0x4b && file[2] === 0x03 && file[3] === 0x04) {
    return readZipCheckpoint(file, options.verifyChecksums ?? true);
  }
  if (file.length >= 2 && file[0] === 0x80 && file[1] === 0x02) return readLegacyCheckpoint(file);
  throw new Error(`${FN}: not a PyTorch checkpoint (neither a zip archive nor the legacy pickle format)`);
}

function asStateDict(value: CheckpointValue): StateDict | string {
  if (!(value instanceof Map)) return `${describe(value)}`;
  const stateDict: StateDict = {};
  for (const [key, tensor] of value) {
    if (typeof key !== 'string') return `a dict with a non-string key (${String(key)})`;
    if (!isTensorData(tensor)) return `a dict whose entry '${key}' is ${describe(tensor)}`;
    // defineProperty: a key named `__proto__` must stay a key, not replace the prototype
    Object.defineProperty(stateDict, key, { value: tensor, enumerable: true, writable: true, configurable: true });
  }
  return stateDict;
}

/**
 * Reads a `torch.save` checkpoint as a {@link StateDict} (see {@link readTorchCheckpointObject}
 * for the safety rules). A top-level dict of tensors is returned as is; a training checkpoint
 * such as `{ epoch, optimizer, state_dict }` returns the dict under `state_dict`,
 * `model_state_dict` or `model` (first found). Use `readTorchCheckpointObject` for the rest.
 */
export function readTorchCheckpoint(bytes: Uint8Array | ArrayBuffer, options: ReadTorchCheckpointOptions = {}): StateDict {
  const value = readTorchCheckpointObject(bytes, options);
  const direct = asStateDict(value);
  if (typeof direct !== 'string') return direct;
  if (value instanceof Map) {
    for (const key of NESTED_STATE_DICT_KEYS) {
      const nested = value.get(key);
      if (nested === undefined) continue;
      const inner = asStateDict(nested);
      if (typeof inner !== 'string') return inner;
      throw new Error(`${FN}: checkpoint entry '${key}' is not a state dict: it is ${inner}`);
    }
  }
  throw new Error(
    `${FN}: checkpoint is not a state dict: it is ${direct}, and has no ${NESTED_STATE_DICT_KEYS.map((k) => `'${k}'`).join(' / ')} entry holding one; use readTorchCheckpointObject to read other values`,
  );
}
