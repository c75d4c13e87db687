"""Overhead of gc.Trainer over the same GAN loop written in plain PyTorch.

MLP G and D (2 hidden layers of 128), batch 256, 2000 steps on the ring of 8, non-saturating
loss, no techniques, progress bar off. The two are run alternately in one process, several
rounds, and the median wall times are compared. Usage: python scripts/bench_trainer.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

import gancore as gc

STEPS, BATCH, LATENT = 2000, 256, 2


def build(seed: int) -> gc.GAN:
    gc.seed_everything(seed)
    return gc.GAN(gc.models.MLPGenerator(LATENT, 2), gc.models.MLPDiscriminator(2), latent_dim=LATENT)


def plain_loop(gan: gc.GAN, mixture: gc.data.GaussianMixture, seed: int) -> None:
    """The loop a reader would write: no history, no hooks."""
    G, D, loss = gan.G, gan.D, gc.losses.nonsaturating
    opt_g = torch.optim.Adam(G.parameters(), lr=1e-3, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=1e-3, betas=(0.5, 0.999))
    torch.manual_seed(seed)
    for _ in range(STEPS):
        x_real = mixture.sample(BATCH)
        with torch.no_grad():
            x_fake = G(torch.randn(BATCH, LATENT))
        loss_d = loss.d(D(x_real), D(x_fake))
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        opt_d.step()
        loss_g = loss.g(D(G(torch.randn(BATCH, LATENT))))
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        opt_g.step()


def trainer_loop(gan: gc.GAN, mixture: gc.data.GaussianMixture, seed: int) -> None:
    cfg = gc.TrainConfig(steps=STEPS, batch_size=BATCH, seed=seed, progress=False, sample_every=None)
    gc.Trainer(gan, gc.losses.nonsaturating, cfg).fit(mixture)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    mixture = gc.data.ring()
    times: dict[str, list[float]] = {"plain": [], "trainer": []}
    for r in range(args.rounds):
        for name, loop in (("plain", plain_loop), ("trainer", trainer_loop)):
            gan = build(r)
            start = time.perf_counter()
            loop(gan, mixture, r)
            times[name].append(time.perf_counter() - start)
    plain, trainer = statistics.median(times["plain"]), statistics.median(times["trainer"])
    overhead = (trainer - plain) / trainer
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {args.rounds} rounds")
    print(f"plain PyTorch : {plain:6.2f} s  ({1e3 * plain / STEPS:.2f} ms/step)")
    print(f"gc.Trainer    : {trainer:6.2f} s  ({1e3 * trainer / STEPS:.2f} ms/step)")
    print(f"overhead      : {100 * overhead:5.1f} % of the Trainer's wall time")


if __name__ == "__main__":
    main()
