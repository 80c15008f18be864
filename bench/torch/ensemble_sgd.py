#!/usr/bin/env python3
"""The PyTorch ensemble loop that BENCHMARKS.md ("Networks") compares with kramers' network cases.

P particles, each a multilayer perceptron of one shape, run true minibatch SGD with replacement: at
every step each particle draws its own B rows uniformly with replacement, averages the per-row
gradients of its loss and adds the weight decay's gradient wd*theta (kramers' mlp adds (wd/2)|theta|^2
per row; docs/theory.md section 8). Forward and backward passes are batched matrix products over the
particle axis (torch.baddbmm / torch.bmm), in float32, on the CPU with torch.set_num_threads(2) (the
cores of the machine BENCHMARKS.md reports on); --threads 1,2 measures each thread count in turn,
because on a loaded machine PyTorch's two OpenMP threads wait for each other and one thread is faster. The gradient is written out by hand (the chain rule
layer by layer), which is faster than autograd here; --autograd measures autograd instead.

The rows and the shapes come from kramers itself, so that both sides run one network on one data set:

    bin/kramers bench --cases 7,8,9 --write-data bin/bench-data
    python3 bench/torch/ensemble_sgd.py --cases 7,8,9 --data-dir bin/bench-data

With --kramers BIN the script also runs `BIN bench --cases N --repeat 1` before each of its own
repeats (alternating, so that both see the same load on a shared machine), and prints the medians
side by side with their ratio and the load average. Output: one line per case; --json FILE writes
every repeat.
"""

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time

import torch


def load_case(data_dir, case):
    """The description and rows that `kramers bench --write-data` wrote for case."""
    path = os.path.join(data_dir, "case%d.json" % case)
    if not os.path.exists(path):
        sys.exit("ensemble_sgd.py: %s is missing; write it with  bin/kramers bench --cases %d --write-data %s"
                 % (path, case, data_dir))
    with open(path) as f:
        desc = json.load(f)
    with open(os.path.join(data_dir, desc["csv"])) as f:
        columns = f.readline().strip().split(",")
        rows = [[float(v) for v in line.split(",")] for line in f if line.strip()]
    table = torch.tensor(rows, dtype=torch.float32)
    is_target = [c == "t" or (c[0] == "t" and c[1:].isdigit()) for c in columns]
    features = table[:, [i for i, t in enumerate(is_target) if not t]].contiguous()
    targets = table[:, [i for i, t in enumerate(is_target) if t]].contiguous()
    return desc, features, targets


class Ensemble:
    """P copies of one MLP, their parameters in one (P, d) tensor in kramers' coordinate order:
    layer by layer, unit by unit, a unit's incoming weights then its bias (host/landscape, mlp)."""

    def __init__(self, shape, inputs, outputs, particles):
        self.act, self.loss, self.wd = shape["act"], shape["loss"], shape["wd"]
        self.bias = 1 if shape["bias"] else 0
        self.widths = [inputs] + list(shape["widths"]) + [outputs]
        self.offsets = [0]
        for fan_in, units in zip(self.widths, self.widths[1:]):
            self.offsets.append(self.offsets[-1] + units * (fan_in + self.bias))
        self.dim = self.offsets[-1]
        # kramers' default start: x_i = 0.5 sin(i), divided by sqrt(fan-in + bias) when d > 64 (mlp's Doc).
        start = torch.tensor([0.5 * math.sin(i + 1) for i in range(self.dim)], dtype=torch.float64)
        if self.dim > 64:
            for l, fan_in in enumerate(self.widths[:-1]):
                start[self.offsets[l]:self.offsets[l + 1]] /= math.sqrt(fan_in + self.bias)
        self.theta = start.to(torch.float32).repeat(particles, 1).contiguous()
        self.grad = torch.zeros_like(self.theta)

    def layer(self, buf, l):
        """Weights (P, units, fan-in) and bias (P, units) of layer l as views of buf."""
        fan_in, units = self.widths[l], self.widths[l + 1]
        block = buf[:, self.offsets[l]:self.offsets[l + 1]].view(buf.shape[0], units, fan_in + self.bias)
        return block[:, :, :fan_in], (block[:, :, fan_in] if self.bias else None)

    def activate(self, z):
        if self.act == "tanh":
            return torch.tanh(z)
        if self.act == "relu":
            return torch.relu(z)
        return torch.nn.functional.softplus(z)

    def activation_slope(self, z, h):
        if self.act == "tanh":
            return 1 - h * h
        if self.act == "relu":
            return (z > 0).to(z.dtype)
        return torch.sigmoid(z)

    def forward(self, theta, x):
        """Pre-activations and outputs of every layer for x of shape (P, B, inputs)."""
        hs, zs = [x], []
        layers = len(self.widths) - 1
        for l in range(layers):
            w, b = self.layer(theta, l)
            h = hs[-1]
            z = torch.baddbmm(b.unsqueeze(1), h, w.transpose(1, 2)) if b is not None else torch.bmm(h, w.transpose(1, 2))
            zs.append(z)
            hs.append(self.activate(z) if l < layers - 1 else z)
        return zs, hs

    def output_delta(self, out, t):
        """d(per-row loss)/d(output) for out, t of shape (P, B, outputs) (mlp's losses)."""
        if self.loss == "mse":
            return out - t
        if self.loss == "logistic":
            return torch.sigmoid(out) - t
        return torch.softmax(out, dim=2) * t.sum(dim=2, keepdim=True) - t  # xent

    def per_row_loss(self, out, t):
        if self.loss == "mse":
            return 0.5 * ((out - t) ** 2).sum(dim=2)
        if self.loss == "logistic":
            return (torch.nn.functional.softplus(out) - t * out).sum(dim=2)
        return t.sum(dim=2) * torch.logsumexp(out, dim=2) - (t * out).sum(dim=2)

    def step_manual(self, x, t, lr):
        """One SGD step of every particle: the mean gradient over the B rows by the chain rule."""
        zs, hs = self.forward(self.theta, x)
        delta = self.output_delta(hs[-1], t) / x.shape[1]
        for l in reversed(range(len(self.widths) - 1)):
            w, _ = self.layer(self.theta, l)
            gw, gb = self.layer(self.grad, l)
            gw.copy_(torch.bmm(delta.transpose(1, 2), hs[l]))
            if gb is not None:
                gb.copy_(delta.sum(dim=1))
            if l > 0:
                delta = torch.bmm(delta, w) * self.activation_slope(zs[l - 1], hs[l])
        self.update(lr)

    def step_autograd(self, x, t, lr):
        theta = self.theta.detach().requires_grad_(True)
        _, hs = self.forward(theta, x)
        # The sum over particles of each particle's mean over its rows: its gradient in theta is
        # every particle's own minibatch gradient.
        loss = self.per_row_loss(hs[-1], t).mean(dim=1).sum()
        (g,) = torch.autograd.grad(loss, theta)
        self.grad.copy_(g)
        self.update(lr)

    def update(self, lr):
        # theta <- theta - lr (grad + wd theta)
        self.theta.mul_(1 - lr * self.wd).sub_(self.grad, alpha=lr)


def measure(desc, features, targets, particles, steps, autograd, seed):
    """Particle-steps per second of steps SGD steps of particles particles (after 2 warm-up steps)."""
    torch.manual_seed(seed)
    ens = Ensemble(desc["shape"], features.shape[1], targets.shape[1], particles)
    if ens.dim != desc["dim"]:
        sys.exit("ensemble_sgd.py: case %d: the shape gives d = %d, kramers wrote d = %d" % (desc["case"], ens.dim, desc["dim"]))
    step = ens.step_autograd if autograd else ens.step_manual
    n, batch, lr = features.shape[0], desc["batch"], desc["lr"]

    def one_step():
        rows = torch.randint(n, (particles, batch))  # with replacement, independently per particle
        step(features[rows], targets[rows], lr)

    with torch.no_grad() if not autograd else torch.enable_grad():
        for _ in range(2):
            one_step()
        t0 = time.perf_counter()
        for _ in range(steps):
            one_step()
        elapsed = time.perf_counter() - t0
    if not torch.isfinite(ens.theta).all():
        sys.exit("ensemble_sgd.py: case %d diverged (lr %g): the measurement would time NaNs" % (desc["case"], lr))
    return particles * steps / elapsed


def check_gradient(desc, features, targets):
    """The hand-written gradient against autograd's, in float64 on 4 particles: the largest
    relative difference (round-off of float64, about 1e-15, where both are right)."""
    ens = Ensemble(desc["shape"], features.shape[1], targets.shape[1], 4)
    ens.theta = (ens.theta.double() + 0.1 * torch.randn(ens.theta.shape, dtype=torch.float64)).contiguous()
    ens.grad = torch.zeros_like(ens.theta)
    rows = torch.randint(features.shape[0], (4, desc["batch"]))
    x, t = features.double()[rows], targets.double()[rows]
    start = ens.theta.clone()
    ens.step_manual(x, t, 1.0)
    manual = ens.grad.clone()
    ens.theta = start.clone()
    ens.step_autograd(x, t, 1.0)
    return ((manual - ens.grad).abs().max() / ens.grad.abs().max()).item()


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def kramers_once(binary, case, backends):
    """One `kramers bench` repeat of case on each backend: {backend: particle-steps/s}."""
    out = subprocess.run([binary, "bench", "--cases", str(case), "--repeat", "1", "--backends", backends, "--json", "-"],
                         check=True, capture_output=True, text=True).stdout
    # A backend that refuses the case (the GPU's limit on a network's d) has no rate.
    return {row["backend"]: row["particle_steps_per_second"] for row in json.loads(out)["rows"] if not row.get("refused")}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", default="7,8,9", help="kramers bench's network cases (7: d = 13, 8: d = 513, 9: d = 9433)")
    ap.add_argument("--data-dir", default="bin/bench-data", help="where `kramers bench --write-data` wrote the cases")
    ap.add_argument("--particles", type=int, default=0, help="particles (0: each case's default, see --torch-particles)")
    ap.add_argument("--steps", type=int, default=0, help="steps per repeat (0: each case's default)")
    ap.add_argument("--repeat", type=int, default=5, help="repeats; the median is reported")
    ap.add_argument("--threads", default="2", help="torch.set_num_threads: a number, or a list such as 1,2 to measure each")
    ap.add_argument("--autograd", action="store_true", help="autograd's backward pass instead of the hand-written one")
    ap.add_argument("--kramers", default="", help="also run BIN bench on each case, alternating with the PyTorch repeats")
    ap.add_argument("--backends", default="gpu,cpu", help="with --kramers: its backends")
    ap.add_argument("--check", action="store_true", help="only compare the hand-written gradient with autograd's on each case")
    ap.add_argument("--json", default="", help="write every repeat as JSON to FILE")
    args = ap.parse_args()
    threads = [int(n) for n in args.threads.split(",")]
    # PyTorch's best ensemble size differs from kramers': its per-step cost is the Python and
    # dispatch overhead of a dozen kernel launches, amortised over the particles, until the
    # tensors leave the cache. These sizes were the fastest on one thread (BENCHMARKS.md,
    # "Networks": case 7 of 2^8 … 2^14, case 8 of 2^7 … 2^11, case 9 of 2^5 … 2^9 particles).
    torch_size = {7: (1 << 12, 200), 8: (1 << 11, 20), 9: (1 << 5, 60)}
    report = {"torch": torch.__version__, "threads": threads, "autograd": args.autograd, "load_start": load_average(), "cases": []}
    print("PyTorch %s, threads %s, %s gradient; load average %s" % (torch.__version__, args.threads,
          "autograd" if args.autograd else "hand-written", report["load_start"]))
    for case in [int(c) for c in args.cases.split(",")]:
        desc, features, targets = load_case(args.data_dir, case)
        if args.check:
            diff = check_gradient(desc, features, targets)
            print("case %d: hand-written gradient against autograd: largest relative difference %.2g" % (case, diff))
            if not diff < 1e-12:  # float64 round-off; a wrong term gives O(1)
                sys.exit(1)
            continue
        particles, steps = torch_size.get(case, (desc["particles"], desc["steps"]))
        particles, steps = args.particles or particles, args.steps or steps
        entry = {"case": case, "dim": desc["dim"], "batch": desc["batch"], "particles": particles, "steps": steps,
                 "torch": {n: [] for n in threads}, "kramers": [], "load": []}
        for r in range(args.repeat):
            entry["load"].append(load_average())
            if args.kramers:
                entry["kramers"].append(kramers_once(args.kramers, case, args.backends))
            for n in threads:
                torch.set_num_threads(n)
                entry["torch"][n].append(measure(desc, features, targets, particles, steps, args.autograd, seed=r))
        report["cases"].append(entry)
        print_case(entry)
    report["load_end"] = load_average()
    print("load average at the end %s" % report["load_end"])
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)


def print_case(e):
    """One line: PyTorch's median per thread count, kramers' per backend and its ratio to the
    fastest PyTorch median."""
    line = "case %d (d = %d, B = %d): PyTorch %d particles x %d steps:" % (e["case"], e["dim"], e["batch"], e["particles"], e["steps"])
    best = 0
    for n, t in e["torch"].items():
        line += " %d thread(s) %.3g particle-steps/s (%.3g ... %.3g);" % (n, statistics.median(t), min(t), max(t))
        best = max(best, statistics.median(t))
    for be in ("gpu", "cpu"):
        k = [r[be] for r in e["kramers"] if be in r]
        if k:
            line += " kramers %s %.3g (%.3g ... %.3g), %.2fx the fastest PyTorch;" % (be, statistics.median(k), min(k), max(k), statistics.median(k) / best)
    print(line + " load %s ... %s" % (e["load"][0], e["load"][-1]))


if __name__ == "__main__":
    main()
