"""Keeps freed memory in the process for the PyTorch speed references.

glibc's malloc serves every block above its mmap threshold (128 KiB to 32 MiB) with a fresh mmap and returns it
with munmap when freed. PyTorch frees and reallocates its activation buffers on every step, so each step
page-faults them in again. Where a page fault is expensive (sandboxed VMs; measured on the AMD EPYC host of
2 Dec 2026) that made PyTorch 2-9x slower than it is (ResNet18 training 11.4 against 23.9 images/s on two threads,
EfficientNet-B3 0.55 against 5.0), which made it the wrong yardstick. PyTorch's CPU tuning guide reaches the same
state by preloading jemalloc or tcmalloc; mallopt does it without a dependency. Call before the first large
allocation.
"""
import ctypes
import ctypes.util

# From glibc's malloc.h.
M_TRIM_THRESHOLD = -1
M_MMAP_MAX = -4
# The largest value mallopt accepts for the trim threshold (an int).
NEVER_TRIM = 2**31 - 1


def keep_freed_memory() -> str:
    """Serves every block from the heap and never trims it; returns a line saying what was done, for the output."""
    name = ctypes.util.find_library("c")
    libc = ctypes.CDLL(name) if name else None
    if libc is None or not hasattr(libc, "mallopt"):
        return "allocator: not glibc, defaults kept"
    no_mmap = libc.mallopt(M_MMAP_MAX, 0) == 1
    no_trim = libc.mallopt(M_TRIM_THRESHOLD, NEVER_TRIM) == 1
    if no_mmap and no_trim:
        return "allocator: glibc malloc without mmap or trimming (freed buffers are reused, not unmapped)"
    return f"allocator: mallopt refused (mmap_max {no_mmap}, trim {no_trim}), glibc defaults kept"
