#!/usr/bin/env python3
"""Writes the weight-file fixtures of @fracture/models under test/fixtures/weights/.

Run with Debian's interpreter (torch 1.13):  /usr/bin/python3 scripts/make-checkpoint-fixtures.py [out-dir]
(out-dir defaults to test/fixtures/weights). The outputs are small and committed, so the TypeScript tests
run where torch is absent.
Expected values are stored as the bit patterns torch produces when converting to float32
(`t.float().view(torch.int32)`), so the TypeScript decoders are checked bit for bit.
"""
import collections
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', '..', 'tools', 'torch-reference'))
from fracture_torch import write_safetensors  # noqa: E402

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, '..', 'test', 'fixtures', 'weights')
os.makedirs(OUT, exist_ok=True)
torch.manual_seed(0)

DTYPE_NAMES = {
    torch.float64: 'float64', torch.float32: 'float32', torch.float16: 'float16', torch.bfloat16: 'bfloat16',
    torch.int64: 'int64', torch.int32: 'int32', torch.int16: 'int16', torch.int8: 'int8',
    torch.uint8: 'uint8', torch.bool: 'bool',
}
FLOATS = (torch.float64, torch.float32, torch.float16, torch.bfloat16)


def expected(t):
    """JSON description of a tensor's values, independent of how it is laid out in memory."""
    flat = t.detach().contiguous().reshape(-1)
    entry = {'dtype': DTYPE_NAMES[t.dtype], 'shape': list(t.shape)}
    if t.dtype in FLOATS:
        entry['float32Bits'] = [v & 0xffffffff for v in flat.float().view(torch.int32).tolist()]
    elif t.dtype == torch.bool:
        entry['values'] = [int(v) for v in flat.tolist()]
    else:
        entry['values'] = [str(v) for v in flat.tolist()]  # strings keep int64 exact in JSON
    return entry


def write_expected(name, state_dict):
    with open(os.path.join(OUT, name), 'w') as f:
        json.dump({k: expected(v) for k, v in state_dict.items()}, f, indent=1)


SPECIAL = [0.0, -0.0, 1.0, -2.5, 65504.0, 6.103515625e-05, 5.960464477539063e-08, 1e-06, -3e-07,
           float('inf'), float('-inf'), float('nan'), 1e-45, 3.3895313892515355e+38, 1 / 3]

# ---- every dtype, a non-contiguous view, shared storage ------------------------------------
base = torch.arange(20, dtype=torch.float32) * 0.5 - 3
dtypes = collections.OrderedDict()
dtypes['f32'] = torch.randn(2, 3)
dtypes['f16'] = torch.tensor(SPECIAL, dtype=torch.float32).half()
dtypes['f16_random'] = torch.randn(7).half()
dtypes['bf16'] = torch.tensor(SPECIAL, dtype=torch.float32).bfloat16()
dtypes['f64'] = torch.tensor([0.1, -1e-300, 1e300, 2.0 ** -149, 1 / 3], dtype=torch.float64)
dtypes['i64'] = torch.tensor([0, -1, 2 ** 53 + 1, -(2 ** 62), 2 ** 63 - 1], dtype=torch.int64)
dtypes['i64_scalar'] = torch.tensor(12345, dtype=torch.int64)
dtypes['i32'] = torch.tensor([-(2 ** 31), 7, 2 ** 31 - 1], dtype=torch.int32)
dtypes['i16'] = torch.tensor([-32768, 3, 32767], dtype=torch.int16)
dtypes['i8'] = torch.tensor([-128, 5, 127], dtype=torch.int8)
dtypes['u8'] = torch.tensor([0, 200, 255], dtype=torch.uint8)
dtypes['bool'] = torch.tensor([True, False, True])
dtypes['empty'] = torch.zeros(0, 3)
dtypes['transposed'] = torch.arange(12, dtype=torch.float32).reshape(3, 4).t()  # strides (1, 4)
dtypes['sliced'] = torch.arange(24, dtype=torch.float32).reshape(4, 6)[1:3, ::2]  # offset 6, strides (6, 2)
dtypes['shared_a'] = base[2:8]  # storage offset 2
dtypes['shared_b'] = base[10:].view(2, 5)  # same storage, offset 10
dtypes['expanded'] = torch.tensor([[1.5], [-2.0]]).expand(2, 3)  # stride 0 along dim 1
assert not dtypes['transposed'].is_contiguous() and not dtypes['sliced'].is_contiguous()
torch.save(dtypes, os.path.join(OUT, 'dtypes.pth'))
write_expected('dtypes.expected.json', dtypes)

# ---- a real module's state dict: OrderedDict with _metadata, int64 num_batches_tracked ------
module = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2), torch.nn.Flatten(), torch.nn.Linear(2, 2))
module.train()
module(torch.randn(2, 1, 3, 3))  # updates running stats and num_batches_tracked
module_sd = module.state_dict()
assert hasattr(module_sd, '_metadata')
torch.save(module_sd, os.path.join(OUT, 'module.pth'))
write_expected('module.expected.json', module_sd)

# ---- a training checkpoint: state dict nested under 'state_dict' next to other values -------
torch.save({
    'epoch': 3,
    'best_acc': 0.875,
    'arch': 'cnn',
    'history': [1, 2.5, None, True],
    'pair': (False, 'x'),
    'big': 2 ** 70,
    'state_dict': module_sd,
    'params': dict(module.named_parameters()),  # nn.Parameter goes through _rebuild_parameter
}, os.path.join(OUT, 'nested.pth'))

# ---- hostile pickle: unpickling would run a shell command -----------------------------------
class Exploit:
    def __reduce__(self):
        return (os.system, ('echo pwned',))


torch.save({'weight': torch.ones(1), 'payload': Exploit()}, os.path.join(OUT, 'malicious.pth'))

# ---- a zero-stride view of one element claiming 2^25 elements: must be refused, not allocated --
torch.save({'huge': torch.zeros(1).expand(2 ** 25)}, os.path.join(OUT, 'expanded-huge.pth'))

# ---- one float32 storage, which the tests rewrite as a big-endian archive --------------------
torch.save({'w': torch.tensor([1.5, -2.0, 3e-5, 1e30], dtype=torch.float32)}, os.path.join(OUT, 'single.pth'))

# ---- the legacy (torch < 1.6) non-zip format --------------------------------------------------
torch.save(collections.OrderedDict(w=torch.ones(2)), os.path.join(OUT, 'legacy.pth'), _use_new_zipfile_serialization=False)
torch.save(dtypes, os.path.join(OUT, 'legacy-dtypes.pth'), _use_new_zipfile_serialization=False)  # expected: dtypes.expected.json

# ---- safetensors written by hand (tools/torch-reference: no safetensors module here) -----------
st = collections.OrderedDict()
st['conv.weight'] = torch.randn(2, 1, 2, 2)
st['half'] = torch.tensor(SPECIAL, dtype=torch.float32).half()
st['brain'] = torch.tensor(SPECIAL, dtype=torch.float32).bfloat16()
st['double'] = torch.tensor([0.1, 1 / 3], dtype=torch.float64)
st['count'] = torch.tensor(7, dtype=torch.int64)
write_safetensors(os.path.join(OUT, 'mixed.safetensors'), st, {'format': 'pt', 'source': 'make-checkpoint-fixtures.py'})
write_expected('mixed.expected.json', st)

# ---- torch's float32 -> float16 / bfloat16 rounding, to check our encoder --------------------
g = torch.Generator().manual_seed(1)
samples = torch.cat([
    torch.tensor(SPECIAL, dtype=torch.float32),
    torch.randn(200, generator=g) * 10,
    torch.randn(100, generator=g) * 1e-5,  # float16 subnormal range
    torch.randn(50, generator=g) * 1e5,  # overflows float16
    # exact ties between two float16 / bfloat16 values, to check round-half-to-even
    (torch.arange(40, dtype=torch.float64) * 2 ** -10 + 1 + 2 ** -11).float(),
    (torch.arange(40, dtype=torch.float64) * 2 ** -7 + 1 + 2 ** -8).float(),
    (torch.arange(20, dtype=torch.float64) * 2 ** -24 + 2 ** -25).float(),
])
with open(os.path.join(OUT, 'rounding.expected.json'), 'w') as f:
    json.dump({
        'float32Bits': [v & 0xffffffff for v in samples.view(torch.int32).tolist()],
        'float16Bits': [v & 0xffff for v in samples.half().view(torch.int16).tolist()],
        'bfloat16Bits': [v & 0xffff for v in samples.bfloat16().view(torch.int16).tolist()],
    }, f)

print('wrote fixtures to', os.path.normpath(OUT), 'with torch', torch.__version__, file=sys.stderr)
