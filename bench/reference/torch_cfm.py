"""
PyTorch + POT reference for `npm run bench`: the CFM training step as TorchCFM
writes it, timed on the CPU with ONE thread, printed as one JSON object.

  model  TorchCFM's MLP: Linear(d+1, w), SELU, Linear(w, w), SELU, Linear(w, w), SELU, Linear(w, d)
  step   x0 ~ N(0, I), x1 ~ rows of a fixed 10,000-point moons pool (as the tfjs side draws them),
         otcfm only: pi = ot.emd(unif, unif, cdist(x0, x1)^2), then batch-size pairs (i, j) drawn
         from pi with replacement (TorchCFM's OTPlanSampler.sample_plan),
         t ~ U[0, 1), x_t = t x1 + (1 - t) x0 + sigma eps, u_t = x1 - x0,
         loss = mean((v(t, x_t) - u_t)^2), Adam lr 1e-3.
  also   POT's ot.emd on a 512 x 512 minibatch alone; rk4 sampling of 10,000 points;
         optionally TorchCFM's exact W2 (POT emd2) on N x N moons points;
         the forward pass alone and forward + backward, to say what bounds a step.

Usage: python3 torch_cfm.py [--seconds S] [--warmup K] [--emd-reps R] [--sample-steps N] [--sample-points N] [--w2-points N]
Figures carry wall and CPU time (time.thread_time, the one working thread) so a loaded machine can be told apart.
Needs torch and POT (Debian: python3-torch python3-pot); exits 3 with one line when missing.
"""

import argparse
import json
import math
import os
import sys
import time

try:
    import numpy as np
    import ot
    import torch
except ImportError as e:  # the bench turns this into its one-line skip message
    print(f"missing module: {e.name}", file=sys.stderr)
    sys.exit(3)


SIGMA = 0.1
DIM = 2


def moons(n: int, rng: np.random.Generator) -> np.ndarray:
    """The protocol's moons (make_moons, noise 0.05, x * 2, first coordinate - 1)."""
    n_out = n // 2
    n_in = n - n_out
    a = np.linspace(0, math.pi, n_out)
    b = np.linspace(0, math.pi, n_in)
    x = np.concatenate([np.cos(a), 1 - np.cos(b)])
    y = np.concatenate([np.sin(a), 1 - np.sin(b) - 0.5])
    pts = np.stack([x, y], 1) + rng.normal(scale=0.05, size=(n, 2))
    pts = pts * 2
    pts[:, 0] -= 1
    return pts.astype(np.float32)


def mlp(dim: int, w: int) -> torch.nn.Module:
    return torch.nn.Sequential(
        torch.nn.Linear(dim + 1, w), torch.nn.SELU(),
        torch.nn.Linear(w, w), torch.nn.SELU(),
        torch.nn.Linear(w, w), torch.nn.SELU(),
        torch.nn.Linear(w, dim),
    )


class OTPlanSampler:
    """TorchCFM's OTPlanSampler(method="exact"), reduced to what otcfm calls."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.emd_seconds = 0.0
        self.emd_cpu_seconds = 0.0

    def get_map(self, x0: torch.Tensor, x1: torch.Tensor) -> np.ndarray:
        a, b = ot.unif(x0.shape[0]), ot.unif(x1.shape[0])
        M = torch.cdist(x0, x1) ** 2
        t = time.perf_counter()
        c = time.thread_time()
        p = ot.emd(a, b, M.detach().cpu().numpy())
        self.emd_seconds += time.perf_counter() - t
        self.emd_cpu_seconds += time.thread_time() - c
        return p

    def sample_map(self, pi: np.ndarray, batch_size: int):
        p = pi.flatten()
        p = p / p.sum()
        choices = self.rng.choice(pi.shape[0] * pi.shape[1], p=p, size=batch_size, replace=True)
        return np.divmod(choices, pi.shape[1])

    def sample_plan(self, x0: torch.Tensor, x1: torch.Tensor):
        pi = self.get_map(x0, x1)
        i, j = self.sample_map(pi, x0.shape[0])
        return x0[i], x1[j]


def timed_loop(fn, warmup: int, seconds: float, min_steps: int = 5):
    """(iterations, wall seconds, CPU seconds of this thread) after `warmup` calls."""
    for _ in range(warmup):
        fn()
    steps = 0
    c0 = time.thread_time()
    t0 = time.perf_counter()
    while True:
        fn()
        steps += 1
        el = time.perf_counter() - t0
        if el >= seconds and steps >= min_steps:
            return steps, el, time.thread_time() - c0


def train_bench(method: str, width: int, batch: int, pool: torch.Tensor, warmup: int, seconds: float, seed: int) -> dict:
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = mlp(DIM, width)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    sampler = OTPlanSampler(rng) if method == "otcfm" else None

    def step():
        x0 = torch.randn(batch, DIM)
        x1 = pool[torch.randint(pool.shape[0], (batch,))]
        if sampler is not None:
            x0, x1 = sampler.sample_plan(x0, x1)
        t = torch.rand(batch, 1)
        xt = t * x1 + (1 - t) * x0 + SIGMA * torch.randn(batch, DIM)
        ut = x1 - x0
        opt.zero_grad()
        loss = torch.mean((model(torch.cat([xt, t], 1)) - ut) ** 2)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(warmup):
        step()
    if sampler is not None:
        sampler.emd_seconds = 0.0
        sampler.emd_cpu_seconds = 0.0
    steps, el, cpu = timed_loop(step, 0, seconds)
    out = {
        "method": method, "width": width, "depth": 3, "batch": batch,
        "steps": steps, "seconds": el, "cpuSeconds": cpu,
        "stepsPerSec": steps / el, "stepsPerCpuSec": steps / cpu if cpu > 0 else None,
    }
    if sampler is not None:
        out["emdFraction"] = sampler.emd_cpu_seconds / cpu if cpu > 0 else None  # CPU basis, as the tfjs side
        out["emdMs"] = 1000 * sampler.emd_seconds / steps
        out["emdCpuMs"] = 1000 * sampler.emd_cpu_seconds / steps

    # Parts of a step, on a fixed batch: forward alone, forward + backward.
    x = torch.cat([torch.randn(batch, DIM), torch.rand(batch, 1)], 1)
    u = torch.randn(batch, DIM)

    def fwd():
        with torch.no_grad():
            model(x)

    def fwd_bwd():
        model.zero_grad()
        torch.mean((model(x) - u) ** 2).backward()

    # CPU milliseconds per call: steadier than wall time on a shared machine.
    n, _, c = timed_loop(fwd, 3, max(0.1, seconds / 4))
    out["forwardMs"] = 1000 * c / n
    n, _, c = timed_loop(fwd_bwd, 3, max(0.1, seconds / 4))
    out["forwardBackwardMs"] = 1000 * c / n
    return out


def emd_bench(n: int, reps: int, pool: np.ndarray, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    times, cpus = [], []
    for _ in range(reps + 1):
        x0 = rng.normal(size=(n, DIM)).astype(np.float32)
        x1 = pool[rng.integers(0, pool.shape[0], n)]
        M = ot.dist(x0, x1)  # squared Euclidean, as torch.cdist(x0, x1) ** 2
        a = ot.unif(n)
        t = time.perf_counter()
        c = time.thread_time()
        ot.emd(a, a, M)
        times.append(time.perf_counter() - t)
        cpus.append(time.thread_time() - c)
    times, cpus = times[1:], cpus[1:]  # the first call pays for imports and allocation
    return {
        "n": n, "reps": reps,
        "medianMs": 1000 * float(np.median(times)), "minMs": 1000 * min(times),
        "meanCpuMs": 1000 * float(np.mean(cpus)),
    }


def sample_bench(width: int, n: int, steps: int, seconds: float) -> dict:
    torch.manual_seed(0)
    model = mlp(DIM, width)
    x0 = torch.randn(n, DIM)
    dt = 1.0 / steps

    def v(t: float, x: torch.Tensor) -> torch.Tensor:
        return model(torch.cat([x, torch.full((x.shape[0], 1), t)], 1))

    def run():
        with torch.no_grad():
            x = x0
            for k in range(steps):
                t = k * dt
                k1 = v(t, x)
                k2 = v(t + dt / 2, x + dt / 2 * k1)
                k3 = v(t + dt / 2, x + dt / 2 * k2)
                k4 = v(t + dt, x + dt * k3)
                x = x + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        return x

    reps, el, cpu = timed_loop(run, 1, seconds, min_steps=1)
    return {
        "n": n, "steps": steps, "seconds": el / reps,
        "pointStepsPerSec": n * steps * reps / el,
        "pointStepsPerCpuSec": n * steps * reps / cpu if cpu > 0 else None,
    }


def w2_bench(n: int) -> dict:
    """TorchCFM's wasserstein(x0, x1, power=2): sqrt(ot.emd2(unif, unif, cdist^2, numItermax=1e7)), two moons draws."""
    a = moons(n, np.random.default_rng(11)).astype(np.float64)
    b = moons(n, np.random.default_rng(12)).astype(np.float64)
    t = time.perf_counter()
    c0 = time.thread_time()
    M = ot.dist(a, b)
    w = ot.emd2(ot.unif(n), ot.unif(n), M, numItermax=int(1e7))
    return {"n": n, "seconds": time.perf_counter() - t, "cpuSeconds": time.thread_time() - c0, "w2": float(math.sqrt(w))}


def blas_info() -> dict:
    info = {"torchBlas": None, "kernel": None, "library": None}
    try:
        for line in torch.__config__.show().splitlines():
            if "BLAS_INFO=" in line:
                info["torchBlas"] = line.split("BLAS_INFO=")[1].split(",")[0]
    except Exception:
        pass
    try:
        import threadpoolctl

        for lib in threadpoolctl.threadpool_info():
            if lib.get("user_api") == "blas":
                info["library"] = f"{lib.get('internal_api')} {lib.get('version')}"
                info["kernel"] = lib.get("architecture")
                info["blasThreads"] = lib.get("num_threads")
    except Exception:
        pass
    info["OPENBLAS_CORETYPE"] = os.environ.get("OPENBLAS_CORETYPE")
    return info


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=4.0)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--emd-reps", type=int, default=9)
    ap.add_argument("--sample-steps", type=int, default=20)
    ap.add_argument("--sample-points", type=int, default=10_000)
    ap.add_argument("--w2-points", type=int, default=0, help="also time POT's exact W2 on N x N points (0: skip; 10,000 takes minutes and ~1 GB)")
    args = ap.parse_args()

    torch.set_num_threads(1)
    try:
        import threadpoolctl

        threadpoolctl.threadpool_limits(1)
    except Exception:
        pass

    rng = np.random.default_rng(1)
    pool_np = moons(10_000, rng)
    pool = torch.from_numpy(pool_np)

    configs = [("icfm", 64, 512), ("otcfm", 64, 512), ("icfm", 256, 256)]
    train = [train_bench(m, w, b, pool, args.warmup, args.seconds, seed=k) for k, (m, w, b) in enumerate(configs)]
    result = {
        "torch": torch.__version__,
        "pot": ot.__version__,
        "numpy": np.__version__,
        "threads": torch.get_num_threads(),
        "blas": blas_info(),
        "train": train,
        "emd": emd_bench(512, args.emd_reps, pool_np, seed=7),
        "sample": sample_bench(64, args.sample_points, args.sample_steps, max(0.2, args.seconds / 2)),
    }
    if args.w2_points > 0:
        result["w2"] = w2_bench(args.w2_points)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
