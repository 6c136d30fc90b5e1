"""Plain NumPy peer of the headrisk simulator, for benchmarking.

Runs the simulator's workload with one `numpy.linalg.lstsq` call per fit:
n = 200 training samples, sizes p = 50, 100, ..., 2,000 (40 sizes),
d = k = 8, 200 trials, and the same exact conditional risk per fitted head:

    hmm:        R = tr Σ_y − 2 tr((W_p Θ)ᵀ M) + σ_u² ‖Θ‖²_F + ‖Fᵀ W_p Θ‖²_F,
                with M = Σ Aᵀ Cᵀ and F Fᵀ = Σ (Σ = Σ_∞ here);
    isotropic:  R = σ² + ‖Θ − B_p‖²_F, with ‖B_p‖²_F = r² at every size.

The HMM has A = I/2, Q = I, C = I, σ_u² = 1 and W with standard normal
entries, like `crates/simulate/benches/simulate.rs`. The random numbers
differ from the Rust run, so the risks agree only statistically; the work
per fit is the same.

Usage: python numpy_peer.py [--family hmm|isotropic] [--trials 200]
"""

import argparse
import time

import numpy as np


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", choices=["hmm", "isotropic"], default="hmm")
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--max-size", type=int, default=2000)
    parser.add_argument("--step", type=int, default=50)
    parser.add_argument("--dim", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


def stationary_covariance(transition, noise):
    """Return Σ_∞ = A Σ_∞ Aᵀ + Q by the doubling iteration."""
    sigma, power = noise.copy(), transition.copy()
    while np.sum(power * power) > 1e-17:
        sigma = sigma + power @ sigma @ power.T
        power = power @ power
    return sigma


def hmm_trial(rng, model, sizes):
    n, features = model["samples"], model["features"]
    tokens = rng.standard_normal((n, model["dim"])) @ model["sigma_root"].T
    next_tokens = tokens @ model["transition"].T + rng.standard_normal((n, model["dim"]))
    targets = next_tokens @ model["readout"].T
    x = tokens @ features + rng.standard_normal((n, features.shape[1]))

    risks = []
    for p in sizes:
        theta = np.linalg.lstsq(x[:, :p], targets, rcond=None)[0]
        projected = features[:, :p] @ theta
        risk = (
            model["trace_sigma_y"]
            - 2.0 * np.sum(projected * model["cross"])
            + np.sum(theta * theta)
            + np.sum((model["sigma_root"].T @ projected) ** 2)
        )
        risks.append(risk)
    return risks


def isotropic_trial(rng, model, sizes):
    n, widest, outputs = model["samples"], sizes[-1], model["outputs"]
    x = rng.standard_normal((n, widest))
    noise = np.sqrt(model["noise"] / outputs) * rng.standard_normal((n, outputs))
    risks = []
    for p in sizes:
        direction = model["direction"][:p]
        coefficients = direction * np.sqrt(model["signal"] / np.sum(direction**2))
        targets = x[:, :p] @ coefficients + noise
        theta = np.linalg.lstsq(x[:, :p], targets, rcond=None)[0]
        risks.append(model["noise"] + np.sum((theta - coefficients) ** 2))
    return risks


def main():
    arguments = parse_arguments()
    sizes = list(range(arguments.step, arguments.max_size + 1, arguments.step))
    rng = np.random.default_rng(arguments.seed)
    dim = arguments.dim

    if arguments.family == "hmm":
        transition = 0.5 * np.eye(dim)
        noise = np.eye(dim)
        readout = np.eye(dim)
        sigma = stationary_covariance(transition, noise)
        eigenvalues, eigenvectors = np.linalg.eigh(sigma)
        model = {
            "samples": arguments.samples,
            "dim": dim,
            "transition": transition,
            "readout": readout,
            "features": rng.standard_normal((dim, arguments.max_size)),
            "sigma_root": eigenvectors * np.sqrt(np.clip(eigenvalues, 0.0, None)),
            "cross": sigma @ transition.T @ readout.T,
            "trace_sigma_y": np.trace(readout @ (transition @ sigma @ transition.T + noise) @ readout.T),
        }
        trial = hmm_trial
    else:
        model = {
            "samples": arguments.samples,
            "outputs": dim,
            "noise": 1.0,
            "signal": 5.0,
            "direction": rng.standard_normal((arguments.max_size, dim)),
        }
        trial = isotropic_trial

    start = time.perf_counter()
    risks = np.array([trial(rng, model, sizes) for _ in range(arguments.trials)])
    elapsed = time.perf_counter() - start

    means = risks.mean(axis=0)
    errors = risks.std(axis=0, ddof=1) / np.sqrt(arguments.trials)
    for p, mean, error in zip(sizes, means, errors):
        if p in (sizes[0], 400, 1000, sizes[-1]):
            print(f"p = {p:5d}: mean risk {mean:.6g} ± {error:.2g}")
    print(f"family {arguments.family}, n = {arguments.samples}, {len(sizes)} sizes up to "
          f"p = {sizes[-1]}, {arguments.trials} trials: {elapsed:.2f} s")

    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        print("threadpoolctl is not installed; BLAS kernel unknown")
    else:
        for pool in threadpool_info():
            print("BLAS:", {key: pool.get(key) for key in
                            ("internal_api", "version", "architecture", "num_threads", "filepath")})


if __name__ == "__main__":
    main()
