"""Where the PyTorch peer's step time goes, op by op: the peer of `npm run bench:profile`.

Builds a workload of bench/torch_peer.py (tuned, as the bench runs it), takes WARMUP steps, then
profiles STEPS steps with torch.autograd.profiler and prints each op's self CPU time per step (time
inside the op itself, not in the ops it calls; backward ops appear under their autograd names,
e.g. ConvolutionBackward0 -> mkldnn_convolution_backward...), top 25, the step's wall time, and the
self time summed by kind (GEMM, element-wise, optimizer, framework: see `kind`).

--phases (the vanilla workloads: mlp, dcgan, dcgan-radford) also times STEPS unprofiled steps phase
by phase with the step's own marks (torch_peer.vanilla's `mark`, the phases of bench/mlp-phases.ts),
wall-clock per phase, Python's dispatch included: what `tsx bench/profile.ts --mlp` puts beside ours.

Usage: /usr/bin/python3 bench/torch_profile.py WORKLOAD [THREADS=1] [STEPS=10] [--phases] [--json]
Run it with the bench's thread environment (OMP_WAIT_POLICY=passive, OPENBLAS_THREAD_TIMEOUT=16,
OMP_NUM_THREADS and OPENBLAS_NUM_THREADS = THREADS), and for the MLP its allocator (LD_PRELOAD of
Debian's libjemalloc.so.2; bench/peer-env.ts, workloads.ts `peerJemalloc`), as `npm run bench`
gives the peer (`tsx bench/profile.ts --mlp` does).
"""
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(__file__))
from torch_peer import Setup, blas_loaded, make  # noqa: E402

MARKED = ("mlp", "dcgan", "dcgan-radford")  # torch_peer.vanilla's workloads
GEMM = {"aten::addmm", "aten::mm", "aten::bmm", "aten::baddbmm"}
# Ops that only make or reshape tensor metadata (or allocate): their self time is dispatch.
METADATA = {"aten::empty", "aten::empty_strided", "aten::empty_like", "aten::t", "aten::transpose", "aten::as_strided",
            "aten::view", "aten::expand", "aten::slice", "aten::select", "aten::reshape", "aten::_reshape_alias",
            "aten::detach", "detach", "aten::linear", "aten::matmul", "aten::resize_", "aten::result_type",
            "aten::unsqueeze", "aten::squeeze", "aten::permute", "aten::contiguous", "aten::alias", "aten::to", "aten::_to_copy"}


def kind(op):
    """An op's kind: a BLAS product, the optimizer, framework (autograd's nodes and engine, metadata
    and allocation ops, the profiler's own ranges) or element-wise compute (everything else)."""
    if op in GEMM:
        return "gemm"
    if op.startswith("aten::_foreach") or op.startswith("Optimizer.") or op in ("aten::zero_", "aten::zeros_like"):
        return "optimizer"
    if op in METADATA or op.startswith("autograd::") or op.endswith("Backward0") or op.endswith("Backward1") \
            or op.startswith("torch::autograd::"):
        return "framework"
    return "elementwise"


class Marks:
    """Wall-clock time per phase: each mark(phase) ends that phase (time since the previous mark)."""

    def __init__(self):
        self.seconds = {}
        self.last = 0.0

    def start(self):
        self.last = time.perf_counter()

    def __call__(self, phase):
        t = time.perf_counter()
        self.seconds[phase] = self.seconds.get(phase, 0.0) + t - self.last
        self.last = t


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if not args:
        raise SystemExit(__doc__)
    workload = args[0]
    threads = int(args[1]) if len(args) > 1 else 1
    steps = int(args[2]) if len(args) > 2 else 10
    phases = "--phases" in sys.argv
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    if phases and workload not in MARKED:
        raise SystemExit(f"--phases: {workload} has no phase marks (the vanilla workloads do: {', '.join(MARKED)})")
    marks = Marks() if phases else None
    step, _params, batch = make(workload, Setup(True), marks)
    for _ in range(3):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    plain_ms = (time.perf_counter() - start) * 1000 / steps
    phase_ms = None
    if phases:
        marks.seconds.clear()
        start = time.perf_counter()
        for _ in range(steps):
            marks.start()
            step()
        marked_ms = (time.perf_counter() - start) * 1000 / steps
        phase_ms = {k: v * 1000 / steps for k, v in marks.seconds.items()}
    with torch.autograd.profiler.profile() as prof:
        for _ in range(steps):
            step()
    rows = sorted(prof.key_averages(), key=lambda e: e.self_cpu_time_total, reverse=True)
    total_self = sum(e.self_cpu_time_total for e in rows) / 1000 / steps
    kinds = {}
    for e in rows:
        k = kind(e.key)
        kinds[k] = kinds.get(k, 0.0) + e.self_cpu_time_total / 1000 / steps
    calls = sum(e.count for e in rows) / steps
    top = [{"op": e.key, "kind": kind(e.key), "msPerStep": e.self_cpu_time_total / 1000 / steps, "callsPerStep": e.count / steps}
           for e in rows[:25]]
    result = {"workload": workload, "batch": batch, "threads": threads, "torch": torch.__version__, "blas": blas_loaded(),
              "allocator": "jemalloc" if "jemalloc" in os.environ.get("LD_PRELOAD", "") else "default", "stepMs": plain_ms,
              "profiledSelfMs": total_self, "opCallsPerStep": calls, "kindsMs": kinds, "top": top}
    if phases:
        result.update({"markedStepMs": marked_ms, "phasesMs": phase_ms})
    if "--json" in sys.argv:
        print(json.dumps(result))
        return
    print(f"{workload}, batch {batch}, {threads} thread(s), torch {torch.__version__}, {result['allocator']} allocator: "
          f"step {plain_ms:.2f} ms unprofiled; self CPU time of all ops {total_self:.2f} ms/step under the profiler, "
          f"{calls:.0f} op calls/step")
    print("  by kind: " + ", ".join(f"{k} {v:.2f} ms" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])))
    if phases:
        print(f"  phases (step {marked_ms:.2f} ms with marks): " + ", ".join(f"{k} {v:.3f}" for k, v in phase_ms.items()))
    for r in top:
        print(f"{r['op'][:44]:44} {r['kind']:11} {r['msPerStep']:9.3f} ms/step {r['callsPerStep']:6.1f} calls/step")


if __name__ == "__main__":
    main()
