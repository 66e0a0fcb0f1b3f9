#!/usr/bin/env python3
"""The PyTorch peer of `rnnlab bench`: one training step of the paper's RNN, the way
its authors train it (autograd over a Python loop over time, on the CPU).

Model and training as in docs/science.md sections 1.2 and 2:

    x_{k+1} = (1 - dt) x_k + dt (W tanh(x_k) + W_in s_k) + sqrt(dt) sigma xi_k
    z_k     = W_out x_k
    loss    = mean squared error on every 5th time step, Adam with lr0 / N

A step draws fresh initial states and noise, runs forward over T steps, backward,
updates W_in, W and W_out, and reads the loss back as a float.

    apt-get install -y python3-torch libopenblas0-openmp
    /usr/bin/python3 scripts/peer/torch_rnn_step.py --cfg 128x160x32,256x360x32 --threads 1

Prints one JSON line per N x T x B configuration with the median and the minimum
milliseconds per step. With more than one thread set OMP_WAIT_POLICY=PASSIVE:
OpenMP's spin-waiting makes a shared 2-core machine several times slower.
"""
import argparse
import json
import math
import resource
import time

import torch


def make_step(N, T, B, d_in=2, d_out=2, dt=0.2, sigma=0.2, g=1.5, lr0=0.02):
    rng = torch.Generator().manual_seed(0)
    w_in = torch.randn(N, d_in, generator=rng).requires_grad_()
    w_rec = (torch.randn(N, N, generator=rng) * (g / math.sqrt(N))).requires_grad_()
    w_out = (torch.randn(d_out, N, generator=rng) / math.sqrt(N)).requires_grad_()

    inputs = torch.zeros(B, T, d_in)
    inputs[:, :5, 0] = 1.0
    t = torch.arange(T, dtype=torch.float32) * dt
    target = torch.stack([torch.sin(0.2 * math.pi * t), torch.cos(0.2 * math.pi * t)], dim=-1).expand(B, T, d_out)
    keep = torch.zeros(B, T, d_out, dtype=torch.bool)
    keep[:, ::5] = True
    optimiser = torch.optim.Adam([w_in, w_rec, w_out], lr=lr0 / N)
    noise_std = math.sqrt(dt) * sigma

    def step():
        optimiser.zero_grad(set_to_none=True)
        # The input drive of every step in one product; unbind gives per-step views whose
        # gradients do not pad to the full tensor, so the backward pass stays linear in T.
        drive = (inputs @ w_in.T).unbind(1)
        x = torch.randn(B, N)
        states = []
        for k in range(T):
            states.append(x)
            x = (1 - dt) * x + dt * (torch.tanh(x) @ w_rec.T + drive[k]) + noise_std * torch.randn(B, N)
        z = torch.stack(states, dim=1) @ w_out.T
        loss = torch.nn.functional.mse_loss(z[keep], target[keep])
        loss.backward()
        optimiser.step()
        return loss.item()

    return step


def measure(N, T, B, seconds, max_iters):
    step = make_step(N, T, B)
    step()
    step()
    times = []
    began = time.perf_counter()
    while len(times) < max_iters and (len(times) < 3 or time.perf_counter() - began < seconds):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    times.sort()
    return {
        "peer": "pytorch-cpu-autograd",
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "N": N, "T": T, "B": B,
        "ms_per_step_median": round(times[len(times) // 2] * 1e3, 2),
        "ms_per_step_min": round(times[0] * 1e3, 2),
        "iters": len(times),
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cfg", default="128x160x32,256x360x32", help="comma-separated N x T x B")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=8.0, help="time budget per configuration")
    parser.add_argument("--iters", type=int, default=30, help="at most this many timed steps")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    for cfg in args.cfg.split(","):
        N, T, B = (int(v) for v in cfg.lower().split("x"))
        print(json.dumps(measure(N, T, B, args.seconds, args.iters)), flush=True)


if __name__ == "__main__":
    main()
