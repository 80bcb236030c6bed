"""Where the PyTorch peer's step time goes, op by op: the peer of `npm run bench:profile`.

Builds a workload of bench/torch_peer.py (tuned, as the bench runs it), takes WARMUP steps, then
profiles STEPS steps with torch.autograd.profiler and prints each op's self CPU time per step (time
inside the op itself, not in the ops it calls; backward ops appear under their autograd names,
e.g. ConvolutionBackward0 -> mkldnn_convolution_backward...), top 25, and the step's wall time.

Usage: /usr/bin/python3 bench/torch_profile.py WORKLOAD [THREADS=1] [STEPS=10] [--json]
Run it with the bench's thread environment (OMP_WAIT_POLICY=passive, OPENBLAS_THREAD_TIMEOUT=16,
OMP_NUM_THREADS and OPENBLAS_NUM_THREADS = THREADS), and for the MLP its allocator (LD_PRELOAD of
Debian's libjemalloc.so.2; bench/peer-env.ts, workloads.ts `peerJemalloc`), as `npm run bench`
gives the peer.
"""
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(__file__))
from torch_peer import Setup, make  # noqa: E402


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if not args:
        raise SystemExit(__doc__)
    workload = args[0]
    threads = int(args[1]) if len(args) > 1 else 1
    steps = int(args[2]) if len(args) > 2 else 10
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    step, _params, batch = make(workload, Setup(True))
    for _ in range(3):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    plain_ms = (time.perf_counter() - start) * 1000 / steps
    with torch.autograd.profiler.profile() as prof:
        for _ in range(steps):
            step()
    rows = sorted(prof.key_averages(), key=lambda e: e.self_cpu_time_total, reverse=True)
    total_self = sum(e.self_cpu_time_total for e in rows) / 1000 / steps
    top = [{"op": e.key, "msPerStep": e.self_cpu_time_total / 1000 / steps, "callsPerStep": e.count / steps} for e in rows[:25]]
    if "--json" in sys.argv:
        print(json.dumps({"workload": workload, "batch": batch, "threads": threads, "stepMs": plain_ms, "profiledSelfMs": total_self, "top": top}))
        return
    print(f"{workload}, batch {batch}, {threads} thread(s), torch {torch.__version__}: step {plain_ms:.1f} ms unprofiled; "
          f"self CPU time of all ops {total_self:.1f} ms/step under the profiler")
    for r in top:
        print(f"{r['op'][:44]:44} {r['msPerStep']:9.2f} ms/step {r['callsPerStep']:6.1f} calls/step")


if __name__ == "__main__":
    main()
