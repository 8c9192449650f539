#!/usr/bin/python3
"""Generates the reference fixtures that the preprocess tests compare against.

Run with Debian's interpreter (torch 1.13, torchvision 0.14, OpenCV 4.6, Pillow 9.4):

    /usr/bin/python3 scripts/make-reference-fixtures.py

Outputs go to test/fixtures/: JPEGs encoded by Pillow with the pixels Pillow decodes from them
(as PNG), and test/fixtures/reference/ with raw little-endian float32 (.f32) or uint8 (.u8) arrays
in [H, W, C] order plus manifest.json describing each case. Inputs are generated here from a
fixed numpy seed and saved too, so the TypeScript side runs the same op on the same input.
"""
import io
import json
import os

import cv2
import numpy as np
import torch
import torch.nn.functional as tnf
import torchvision
import torchvision.transforms.functional as TF
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, '..', 'test', 'fixtures')
REF = os.path.join(FIXTURES, 'reference')
os.makedirs(REF, exist_ok=True)
rng = np.random.default_rng(20240601)
manifest = {
    'generator': 'scripts/make-reference-fixtures.py',
    'versions': {
        'torch': torch.__version__, 'torchvision': torchvision.__version__,
        'opencv': cv2.__version__, 'pillow': Image.__version__, 'numpy': np.__version__,
    },
    'cases': [],
}


def radiograph_like(h, w, c):
    """Smooth gradients and a bright 'bone' band with noise: structure for resize/blur/CLAHE to act on."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    base = 0.25 + 0.2 * np.sin(x / (w / 3.1)) * np.cos(y / (h / 2.3))
    bone = 0.45 * np.exp(-((x - w * 0.55 + 0.2 * y) ** 2) / (2 * (w * 0.12) ** 2))
    img = base + bone
    out = np.stack([img * (0.9 + 0.1 * k) for k in range(c)], axis=-1)
    out += rng.normal(0, 0.06, size=out.shape)
    return np.clip(out, 0, 1).astype(np.float32)


def save(name, array):
    array = np.ascontiguousarray(array)
    ext = 'u8' if array.dtype == np.uint8 else 'f32'
    fname = f'{name}.{ext}'
    array.astype('<f4' if ext == 'f32' else np.uint8).tofile(os.path.join(REF, fname))
    return {'file': fname, 'shape': list(array.shape), 'dtype': 'uint8' if ext == 'u8' else 'float32'}


def to_chw(hwc):
    return torch.from_numpy(hwc).permute(2, 0, 1).contiguous()


def to_hwc(chw):
    return chw.permute(1, 2, 0).contiguous().numpy()


def case(name, op, params, inp, out, tolerance, note):
    manifest['cases'].append({
        'name': name, 'op': op, 'params': params,
        'input': save(f'{name}-input', inp), 'expected': save(f'{name}-expected', out),
        'tolerance': tolerance, 'note': note,
    })


# resize ------------------------------------------------------------------------------------------
img = radiograph_like(37, 53, 3)
t = to_chw(img)[None]
out = tnf.interpolate(t, size=(16, 23), mode='bilinear', align_corners=False, antialias=False)[0]
case('resize-down-plain', 'resize', {'size': [16, 23], 'antialias': False}, img, to_hwc(out), 1e-5,
     'torch F.interpolate bilinear align_corners=False antialias=False')
out = tnf.interpolate(t, size=(16, 23), mode='bilinear', align_corners=False, antialias=True)[0]
case('resize-down-antialias', 'resize', {'size': [16, 23], 'antialias': True}, img, to_hwc(out), 1e-5,
     'torch F.interpolate bilinear align_corners=False antialias=True')
out = tnf.interpolate(t, size=(11, 71), mode='bilinear', align_corners=False, antialias=True)[0]
case('resize-mixed-antialias', 'resize', {'size': [11, 71], 'antialias': True}, img, to_hwc(out), 1e-5,
     'torch antialias=True, height shrinks while width grows')
small = radiograph_like(13, 17, 1)
out = tnf.interpolate(to_chw(small)[None], size=(29, 31), mode='bilinear', align_corners=False)[0]
case('resize-up', 'resize', {'size': [29, 31], 'antialias': True}, small, to_hwc(out), 1e-5,
     'torch F.interpolate bilinear align_corners=False (enlarging)')
# A radiograph-scale downscale through PIL, as torchvision.transforms.Resize does on PIL images.
big = (radiograph_like(360, 300, 1)[..., 0] * 255).round().astype(np.uint8)
pil = Image.fromarray(big, mode='L').resize((56, 64), Image.BILINEAR)
case('resize-pil-large', 'resize', {'size': [64, 56], 'antialias': True}, big[..., None],
     np.asarray(pil)[..., None], 1,
     'PIL Image.resize BILINEAR on uint8 (fixed-point coefficients, rounds to uint8 between passes): +-1 level; the test also reports plain bilinear against it')

# center crop ------------------------------------------------------------------------------------
img = radiograph_like(24, 31, 3)
case('center-crop', 'centerCrop', {'size': [15, 20]}, img, to_hwc(TF.center_crop(to_chw(img), [15, 20])), 0,
     'torchvision F.center_crop')
case('center-crop-pad', 'centerCrop', {'size': [29, 34]}, img, to_hwc(TF.center_crop(to_chw(img), [29, 34])), 0,
     'torchvision F.center_crop larger than the image: zero padding')
out = TF.resized_crop(to_chw(img), 3, 5, 14, 19, [10, 12], antialias=True)
case('resized-crop', 'resizedCrop', {'top': 3, 'left': 5, 'height': 14, 'width': 19, 'size': [10, 12]},
     img, to_hwc(out), 1e-5, 'torchvision F.resized_crop antialias=True')

# gaussian blur ----------------------------------------------------------------------------------
img = radiograph_like(24, 28, 3)
out = TF.gaussian_blur(to_chw(img), kernel_size=[5, 7], sigma=[1.2, 0.8])
case('gaussian-blur', 'gaussianBlur', {'kernelSize': [5, 7], 'sigma': [1.2, 0.8]}, img, to_hwc(out), 1e-5,
     'torchvision F.gaussian_blur kernel [kx=5, ky=7] sigma [sx=1.2, sy=0.8], reflect padding')
out = TF.gaussian_blur(to_chw(img), kernel_size=[9, 9])
case('gaussian-blur-default-sigma', 'gaussianBlur', {'kernelSize': 9}, img, to_hwc(out), 1e-5,
     'torchvision F.gaussian_blur kernel 9, default sigma 0.3*((k-1)*0.5-1)+0.8')

# rotation ---------------------------------------------------------------------------------------
img = radiograph_like(20, 26, 3)
out = TF.rotate(to_chw(img), 30.0, interpolation=TF.InterpolationMode.BILINEAR, fill=[0.5])
case('rotate-bilinear', 'rotate', {'angle': 30, 'fill': 0.5, 'interpolation': 'bilinear'}, img, to_hwc(out), 1e-4,
     'torchvision F.rotate on a tensor, bilinear, fill 0.5')
out = TF.rotate(to_chw(img), -47.0, interpolation=TF.InterpolationMode.NEAREST, fill=[0.0])
case('rotate-nearest', 'rotate', {'angle': -47, 'fill': 0, 'interpolation': 'nearest'}, img, to_hwc(out), 0,
     'torchvision F.rotate on a tensor, nearest, fill 0; exact except where a sample lands on a pixel boundary')

# colour ------------------------------------------------------------------------------------------
img = radiograph_like(12, 14, 3)
img[..., 0] = np.clip(img[..., 0] * 1.3, 0, 1)
img[..., 2] = np.clip(img[..., 2] * 0.6, 0, 1)
for fname, op, factor in [('brightness', 'adjustBrightness', 1.3), ('contrast', 'adjustContrast', 0.6),
                          ('saturation', 'adjustSaturation', 1.7), ('saturation-low', 'adjustSaturation', 0.3)]:
    fn = getattr(TF, 'adjust_' + fname.split('-')[0])
    case(f'adjust-{fname}', op, {'factor': factor}, img, to_hwc(fn(to_chw(img), factor)), 1e-5,
         f'torchvision F.adjust_{fname.split("-")[0]}({factor}) on a float tensor')
gray = radiograph_like(12, 14, 1)
case('adjust-contrast-gray', 'adjustContrast', {'factor': 1.8}, gray,
     to_hwc(TF.adjust_contrast(to_chw(gray), 1.8)), 1e-5, 'torchvision F.adjust_contrast(1.8) on one channel')
case('rgb-to-grayscale', 'toGrayscale', {}, img, to_hwc(TF.rgb_to_grayscale(to_chw(img))), 1e-6,
     'torchvision F.rgb_to_grayscale (0.2989, 0.587, 0.114)')

# histogram equalisation and CLAHE (8-bit, OpenCV) ------------------------------------------------
def u8(h, w):
    return (radiograph_like(h, w, 1)[..., 0] * 200 + 20).round().astype(np.uint8)


img = u8(50, 40)
case('equalize', 'equalizeHistogram', {}, img[..., None], cv2.equalizeHist(img)[..., None], 1,
     'cv2.equalizeHist; +-1 level for float rounding')
for name, h, w, clip, grid in [('clahe-8x8', 64, 64, 2.0, (8, 8)), ('clahe-odd', 67, 83, 3.0, (4, 6)),
                               ('clahe-noclip', 48, 40, 0.0, (3, 2)), ('clahe-strong', 96, 80, 40.0, (8, 8))]:
    img = u8(h, w)
    out = cv2.createCLAHE(clipLimit=clip, tileGridSize=grid).apply(img)
    case(name, 'clahe', {'clipLimit': clip, 'tileGridSize': list(grid)}, img[..., None], out[..., None], 1,
         f'cv2.createCLAHE(clipLimit={clip}, tileGridSize={grid}) (width, height) tiles; +-1 level')


# JPEG fixtures: Pillow encodes, Pillow's decoded pixels are the expected values ----------------------
def jpeg_case(name, array, **kwargs):
    mode = 'L' if array.ndim == 2 else 'RGB'
    buf = io.BytesIO()
    Image.fromarray(array, mode=mode).save(buf, format='JPEG', **kwargs)
    data = buf.getvalue()
    with open(os.path.join(FIXTURES, f'{name}.jpg'), 'wb') as f:
        f.write(data)
    decoded = Image.open(io.BytesIO(data))
    decoded.load()
    decoded.save(os.path.join(FIXTURES, f'{name}.expected.png'))


gray = u8(40, 48)
rgb = (radiograph_like(40, 48, 3) * 255).round().astype(np.uint8)
jpeg_case('gray-baseline', gray, quality=90)
jpeg_case('gray-progressive', gray, quality=90, progressive=True)
jpeg_case('rgb-baseline-444', rgb, quality=90, subsampling=0)
jpeg_case('rgb-baseline-420', rgb, quality=90, subsampling=2)
jpeg_case('rgb-progressive-444', rgb, quality=90, subsampling=0, progressive=True)
# 16-bit CLAHE (appended last so that the fixtures above keep their random draws) -------------------
img16 = (radiograph_like(60, 52, 1)[..., 0] * 50000 + 4000).round().astype(np.uint16)
out16 = cv2.createCLAHE(clipLimit=3.0, tileGridSize=(4, 3)).apply(img16)
manifest['cases'].append({
    'name': 'clahe-16bit', 'op': 'clahe', 'params': {'clipLimit': 3.0, 'tileGridSize': [4, 3], 'bitDepth': 16},
    'input': save('clahe-16bit-input', (img16 / 65535).astype(np.float32)[..., None]),
    'expected': save('clahe-16bit-expected', out16.astype(np.float32)[..., None]),
    'tolerance': 1, 'note': 'cv2.createCLAHE(clipLimit=3.0, tileGridSize=(4, 3)) on uint16: 65536 bins; expected values are uint16 levels stored as float32',
})

with open(os.path.join(REF, 'manifest.json'), 'w') as f:
    json.dump(manifest, f, indent=1)
print('wrote', len(manifest['cases']), 'reference cases and 5 JPEG fixtures to', FIXTURES)
