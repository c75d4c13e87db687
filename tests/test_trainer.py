"""The Trainer: smoke runs, determinism, exact resume, data kinds, hooks, errors."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, Dataset, TensorDataset

import gancore as gc

CFG = gc.TrainConfig(steps=24, batch_size=32, progress=False, sample_every=8, sample_size=50)


def make_trainer(gan, techniques=(), **overrides):
    cfg = gc.TrainConfig(**{**CFG.__dict__, **overrides})
    return gc.Trainer(copy.deepcopy(gan), gc.losses.nonsaturating, cfg, techniques=techniques)


def weights(gan):
    return torch.cat([p.detach().flatten() for p in gan.parameters()])


def test_smoke_run_records_history_and_snapshots(tiny_gan, ring):
    trainer = make_trainer(tiny_gan)
    history = trainer.fit(ring)
    assert len(history) == trainer.step == 24
    for key in history.keys:
        assert history[key].shape == (24,) and np.isfinite(history[key]).all()
    assert ((history["p_real"] > 0) & (history["p_real"] < 1)).all()  # probabilities
    # d_real is the mean logit: sigmoid of it is close to the mean probability for small logits
    assert not np.allclose(history["d_real"], history["p_real"])
    assert np.abs(1 / (1 + np.exp(-history["d_real"])) - history["p_real"]).max() < 0.05
    assert [s for s, _ in trainer.snapshots] == [0, 8, 16, 24]
    assert trainer.snapshots[0][1].shape == (50, 2)
    assert (history["grad_norm_d"] > 0).all() and (history["grad_norm_g"] > 0).all()


def test_wasserstein_history_is_raw_logits(tiny_gan, ring):
    trainer = gc.Trainer(copy.deepcopy(tiny_gan), gc.losses.wasserstein, CFG)
    history = trainer.fit(ring)
    # L_D = E[D(fake)] - E[D(real)], and the history logs the two means as raw logits
    assert np.allclose(history["loss_d"], history["d_fake"] - history["d_real"], atol=1e-6)


def test_n_critic_counts_discriminator_updates(tiny_gan, ring):
    trainer = make_trainer(tiny_gan, n_critic=3, steps=5)
    trainer.fit(ring)
    d_steps = trainer.opt_d.state[next(iter(trainer.gan.D.parameters()))]["step"]
    g_steps = trainer.opt_g.state[next(iter(trainer.gan.G.parameters()))]["step"]
    assert (int(d_steps), int(g_steps)) == (15, 5)


def test_deterministic_for_a_seed(tiny_gan, ring):
    a, b = make_trainer(tiny_gan), make_trainer(tiny_gan)
    a.fit(ring)
    b.fit(ring)
    assert torch.equal(weights(a.gan), weights(b.gan))
    assert np.array_equal(a.history.table(), b.history.table())
    c = make_trainer(tiny_gan, seed=1)
    c.fit(ring)
    assert not torch.equal(weights(a.gan), weights(c.gan))


@pytest.mark.parametrize(
    "techniques",
    [(), (gc.techniques.InstanceNoise(0.1, anneal_steps=20), gc.techniques.ClipGradNorm(1.0))],
    ids=["plain", "noise+clip"],
)
def test_resume_equals_uninterrupted(tiny_gan, ring, tmp_path, techniques):
    straight = make_trainer(tiny_gan, copy.deepcopy(techniques))
    straight.fit(ring)

    first = make_trainer(tiny_gan, copy.deepcopy(techniques))
    first.fit(ring, stop_at=10)
    first.save(tmp_path / "run.pt")
    torch.manual_seed(1234)  # whatever happens in between must not matter
    resumed = make_trainer(tiny_gan, copy.deepcopy(techniques))
    resumed.load(tmp_path / "run.pt")
    assert resumed.step == 10
    resumed.fit(ring)

    assert torch.equal(weights(straight.gan), weights(resumed.gan))
    assert np.array_equal(straight.history.table(), resumed.history.table())
    assert [s for s, _ in straight.snapshots] == [s for s, _ in resumed.snapshots]
    assert all(
        torch.equal(a, b) for (_, a), (_, b) in zip(straight.snapshots, resumed.snapshots, strict=True)
    )


def test_load_rejects_a_trainer_built_differently(tiny_gan, ring, tmp_path):
    trainer = make_trainer(tiny_gan, steps=2)
    trainer.fit(ring)
    trainer.save(tmp_path / "run.pt")
    other = make_trainer(tiny_gan, (gc.techniques.ClipGradNorm(1.0),))
    with pytest.raises(ValueError, match="techniques"):
        other.load(tmp_path / "run.pt")


class ListDataset(Dataset):
    def __init__(self, x):
        self.x = x

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], 0


@pytest.mark.parametrize(
    "wrap",
    [lambda x: x, TensorDataset, ListDataset, lambda x: DataLoader(TensorDataset(x), batch_size=32)],
    ids=["tensor", "tensor-dataset", "dataset", "dataloader"],
)
def test_every_data_kind(tiny_gan, ring, wrap):
    trainer = make_trainer(tiny_gan, steps=6)
    history = trainer.fit(wrap(ring.sample(100)))
    assert len(history) == 6 and np.isfinite(history["loss_d"]).all()


class Recorder(gc.techniques.Technique):
    """Records the order in which the Trainer calls the hooks, and what each Step holds then."""

    def __init__(self):
        self.calls = []

    def check(self, gan, loss):
        self.calls.append("check")

    def wrap_g(self, G):
        self.calls.append("wrap_g")
        return G

    def wrap_d(self, D):
        self.calls.append("wrap_d")
        return D

    def sampler(self, G):
        self.calls.append("sampler")

    def d_input(self, x, step):
        self.calls.append("d_input")
        return x

    def d_loss(self, loss_d, step):
        self.calls.append("d_loss")
        assert step.d_real.shape == step.d_fake.shape == (32,) and step.x_real.shape == (32, 2)
        assert step.y_real.shape == (32,)  # the ring's labels: each sample's mode
        return loss_d

    def d_penalty(self, D, step):
        self.calls.append("d_penalty")
        assert torch.equal(step.loss_d, step.loss.d(step.d_real, step.d_fake))
        return torch.zeros((), requires_grad=False)

    def after_d_backward(self, D, step):
        self.calls.append("after_d_backward")

    def after_d_step(self, D, step):
        self.calls.append("after_d_step")

    def g_discriminator(self, D, step):
        self.calls.append("g_discriminator")
        assert step.next_real().x.shape == (32, 2)
        return D

    def g_loss(self, loss_g, step):
        self.calls.append("g_loss")
        assert step.d_fake.shape == (32,)
        return loss_g

    def after_g_backward(self, G, step):
        self.calls.append("after_g_backward")

    def after_g_step(self, G, step):
        self.calls.append("after_g_step")

    def log(self, step):
        self.calls.append("log")
        return {"recorded": step.index + 0.5}


def test_hooks_are_called_in_protocol_order(tiny_gan, ring):
    recorder = Recorder()
    trainer = make_trainer(tiny_gan, (recorder,), steps=2, sample_every=None)
    history = trainer.fit(ring)
    assert recorder.calls[:4] == ["check", "wrap_g", "wrap_d", "sampler"]
    assert recorder.calls[4:17] == [
        "d_input", "d_input", "d_loss", "d_penalty", "after_d_backward", "after_d_step",
        "g_discriminator", "d_input", "g_loss", "after_g_backward", "after_g_step", "log", "d_input",
    ]  # fmt: skip
    assert list(history["recorded"]) == [0.5, 1.5] and "recorded" in history.columns


def test_public_losses_are_what_the_updates_minimize(tiny_gan, ring):
    trainer = make_trainer(tiny_gan, (gc.techniques.R1(gamma=2.0),), steps=1, sample_every=None)
    x_real, x_fake = ring.sample(16), torch.randn(16, 2)
    D = trainer.gan.D
    expected = gc.losses.nonsaturating.d(D(x_real), D(x_fake)) + gc.penalties.r1(D, x_real)
    torch.testing.assert_close(trainer.d_loss(D, x_real, x_fake), expected)
    torch.testing.assert_close(trainer.g_loss(D, x_fake), gc.losses.nonsaturating.g(D(x_fake)))


def test_simultaneous_updates_take_both_gradients_at_the_same_point(tiny_gan, ring):
    sim = make_trainer(copy.deepcopy(tiny_gan), steps=1, sample_every=None, simultaneous=True)
    alt = make_trainer(copy.deepcopy(tiny_gan), steps=1, sample_every=None)
    sim.fit(ring)
    alt.fit(ring)
    # same draws, same D update; G's update differs because it saw the old D, not the new one
    assert torch.equal(weights(sim.gan.D), weights(alt.gan.D))
    assert not torch.equal(weights(sim.gan.G), weights(alt.gan.G))
    with pytest.raises(ValueError, match="n_critic"):
        gc.TrainConfig(simultaneous=True, n_critic=2)


def test_the_optimizer_is_a_factory(tiny_gan, ring):
    trainer = make_trainer(tiny_gan, steps=2, sample_every=None, optimizer=torch.optim.SGD)
    assert isinstance(trainer.opt_g, torch.optim.SGD) and trainer.opt_d.param_groups[0]["lr"] == CFG.lr_d
    trainer.fit(ring)
    with pytest.raises(TypeError, match="optimizer"):
        gc.TrainConfig(optimizer="sgd")


class Averaged(gc.techniques.Technique):
    """A sampling generator: here simply a frozen copy of G at the start."""

    def sampler(self, G):
        return copy.deepcopy(G)


def test_a_sampling_generator_is_used_for_samples_and_snapshots(tiny_gan, ring):
    trainer = make_trainer(tiny_gan, (Averaged(),), steps=4, sample_every=2)
    assert trainer.gan is not tiny_gan and tiny_gan.sampler is None  # the caller's GAN is untouched
    before = trainer.gan.sample(z=trainer.fixed_z)
    trainer.fit(ring)
    assert all(torch.equal(x, before) for _, x in trainer.snapshots)  # the frozen copy, not G
    assert not torch.equal(trainer.gan.G(trainer.fixed_z), before)


def test_bad_inputs_give_clear_errors(tiny_gan, ring):
    with pytest.raises(TypeError, match="loss"):
        gc.Trainer(tiny_gan, "nonsaturating", CFG)
    with pytest.raises(TypeError, match="GAN"):
        gc.Trainer(tiny_gan.G, gc.losses.minimax, CFG)
    with pytest.raises(TypeError, match="Technique"):
        gc.Trainer(tiny_gan, gc.losses.minimax, CFG, techniques=[lambda x: x])
    with pytest.raises(TypeError, match="config"):
        gc.Trainer(tiny_gan, gc.losses.minimax, {"steps": 3})
    trainer = make_trainer(tiny_gan)
    with pytest.raises(TypeError, match="data must be"):
        trainer.fit([1, 2, 3])
    with pytest.raises(ValueError, match="stop_at"):
        trainer.fit(ring, stop_at=100)
    with pytest.raises(RuntimeError, match="fit"):
        trainer.real_batch()


@pytest.mark.parametrize(
    "field,value",
    [("steps", 0), ("batch_size", -1), ("lr_g", 0.0), ("betas_d", (0.5, 1.0)), ("sample_every", 0),
     ("seed", -3), ("n_critic", 1.5)],
)  # fmt: skip
def test_config_validation(field, value):
    with pytest.raises(ValueError, match=field):
        gc.TrainConfig(**{field: value})


def test_config_is_frozen():
    with pytest.raises(AttributeError):
        gc.TrainConfig().steps = 3


def test_device_auto_is_cpu_without_cuda():
    if not torch.cuda.is_available():
        assert gc.get_device("auto") == torch.device("cpu")
        with pytest.raises(ValueError, match="CUDA"):
            gc.get_device("cuda")


@pytest.mark.cuda
def test_trains_on_cuda(tiny_gan, ring):
    trainer = gc.Trainer(
        copy.deepcopy(tiny_gan), gc.losses.nonsaturating,
        gc.TrainConfig(steps=5, batch_size=16, device="cuda", progress=False),
        techniques=[gc.techniques.InstanceNoise(0.1), gc.techniques.ClipGradNorm(1.0)],
    )  # fmt: skip
    trainer.fit(ring)
    assert trainer.gan.sample(4).device.type == "cuda"
    assert np.isfinite(trainer.history["loss_g"]).all()


def test_a_fixed_generator_trains_only_d(ring):
    G = torch.nn.Linear(2, 2).requires_grad_(False)  # nothing to train: D alone learns
    gan = gc.GAN(G, gc.models.MLPDiscriminator(2, width=8), latent_dim=2)
    before = weights(gan.G)
    history = make_trainer(gan, steps=3, sample_every=None).fit(ring)
    assert len(history) == 3 and torch.equal(weights(gan.G), before)


class CondG(torch.nn.Module):
    """G(z, y): the label's embedding concatenated to z."""

    def __init__(self):
        super().__init__()
        self.embed, self.net = torch.nn.Embedding(3, 2), torch.nn.Linear(4, 2)

    def forward(self, z, y):
        return self.net(torch.cat([z, self.embed(y)], dim=1))  # (N, 2)


class CondD(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed, self.net = torch.nn.Embedding(3, 2), torch.nn.Linear(4, 1)

    def forward(self, x, y):
        return self.net(torch.cat([x, self.embed(y)], dim=1)).squeeze(1)  # (N,)


class LabelSpy(gc.techniques.Technique):
    def __init__(self):
        self.seen = []

    def d_loss(self, loss_d, step):
        self.seen.append((step.y_real, step.y_fake))
        return loss_d


def test_labels_flow_from_the_data_to_a_conditional_gan():
    x = torch.randn(60, 2)
    y = torch.arange(60) % 3  # (60,) labels in {0, 1, 2}
    gan = gc.GAN(CondG(), CondD(), latent_dim=2, num_classes=3)
    spy = LabelSpy()
    cfg = gc.TrainConfig(steps=3, batch_size=8, progress=False, sample_every=None, device="cpu")
    gc.Trainer(gan, gc.losses.nonsaturating, cfg, techniques=[spy]).fit(TensorDataset(x, y))
    assert len(spy.seen) == 3
    for y_real, y_fake in spy.seen:
        assert y_real.shape == y_fake.shape == (8,) and y_fake.dtype == torch.int64
        assert 0 <= int(y_fake.min()) and int(y_fake.max()) < 3
    assert gan.sample(4, y=torch.tensor([0, 1, 2, 0])).shape == (4, 2)
    assert gan.sample(5).shape == (5, 2)  # uniform labels when none are given
    with pytest.raises(ValueError, match="y must have shape"):
        gan.sample(4, y=torch.tensor([0, 1]))
    unconditional = gc.GAN(gc.models.MLPGenerator(2, 2), gc.models.MLPDiscriminator(2), latent_dim=2)
    with pytest.raises(ValueError, match="conditional"):
        unconditional.sample(2, y=torch.tensor([0, 1]))


def test_batches_keep_labels_from_every_kind_of_data():
    x, y = torch.randn(10, 2), torch.arange(10)
    batch = gc.data.batches(TensorDataset(x, y), 4)()
    assert batch.x.shape == (4, 2) and all(
        torch.equal(x[int(i)], row) for i, row in zip(batch.y, batch.x, strict=True)
    )
    assert gc.data.batches(x, 4)().y is None
    loader = DataLoader(TensorDataset(x, y), batch_size=5)
    assert gc.data.batches(loader, 5)().y.shape == (5,)
    ring_batch = gc.data.batches(gc.data.ring(), 6)()
    assert ring_batch.y.shape == (6,) and int(ring_batch.y.max()) < 8
