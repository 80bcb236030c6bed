"""The PyTorch side of bench/kernels.ts: the same 512³ matrix product and 3×3 convolution, the
fastest of timed runs after warm-up (as ours). The convolution in channels_last, where oneDNN is
fastest (as the tuned peer runs its models; NCHW measured 5× slower on one thread here).
Usage: /usr/bin/python3 bench/torch_kernels.py THREADS"""
import json
import sys
import time

import torch
import torch.nn.functional as F


def time_ms(f, reps):
    for _ in range(2):
        f()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        f()
        times.append((time.perf_counter() - t0) * 1000)
    return min(times)


def main():
    torch.set_num_threads(int(sys.argv[1]))
    torch.manual_seed(0)
    a, b = torch.randn(512, 512), torch.randn(512, 512)
    cl = torch.channels_last
    x, w = torch.randn(16, 64, 28, 28).contiguous(memory_format=cl), torch.randn(64, 64, 3, 3).contiguous(memory_format=cl)
    with torch.no_grad():
        matmul_ms = time_ms(lambda: a @ b, 20)
        conv_ms = time_ms(lambda: F.conv2d(x, w, padding=1), 10)
    print(json.dumps({
        "threads": torch.get_num_threads(),
        "matmulMs": matmul_ms, "matmulGflops": 2 * 512 ** 3 / matmul_ms / 1e6,
        "convMs": conv_ms, "convGflops": 2 * 16 * 28 * 28 * 64 * 64 * 9 / conv_ms / 1e6,
    }))


if __name__ == "__main__":
    main()
