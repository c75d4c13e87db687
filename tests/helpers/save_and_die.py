"""Child process of tests/test_checkpoint.py: trains, then hangs half-way through Trainer.save.

``python save_and_die.py FOLDER`` trains the run of :func:`build` to step 10 and saves it to
``FOLDER/run.pt``; ``torch.save`` is patched to write half the file, print ``WRITING`` and wait,
so the parent can SIGKILL the process while the checkpoint is being written.
"""

from __future__ import annotations

import io
import os
import sys
import time
from pathlib import Path

import torch

import gancore as gc


def build() -> gc.Trainer:
    """The run under test: a tiny GAN on the ring, deterministic on the CPU."""
    gc.seed_everything(0)
    gan = gc.GAN(
        gc.models.MLPGenerator(2, 2, width=16), gc.models.MLPDiscriminator(2, width=16), latent_dim=2
    )
    cfg = gc.TrainConfig(steps=10, batch_size=32, progress=False, sample_every=5, device="cpu")
    return gc.Trainer(gan, gc.losses.nonsaturating, cfg)


def _half_then_hang(real_save):
    def save(obj, f, *args, **kwargs):
        buffer = io.BytesIO()
        real_save(obj, buffer, *args, **kwargs)
        data = buffer.getvalue()
        f.write(data[: len(data) // 2])
        f.flush()
        os.fsync(f.fileno())
        print("WRITING", flush=True)
        time.sleep(600)

    return save


if __name__ == "__main__":
    folder = Path(sys.argv[1])
    trainer = build()
    trainer.fit(gc.data.ring(), stop_at=10)
    torch.save = _half_then_hang(torch.save)  # gancore.checkpoint calls torch.save(obj, f)
    trainer.save(folder / "run.pt")
    print("SAVED", flush=True)  # never reached: the parent kills us first
