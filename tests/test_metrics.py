"""Tests for gancore.metrics: mixture coverage, KL, Fréchet distance, precision/recall, MNIST scores."""

from __future__ import annotations

import math

import pytest
import torch

import gancore as gc
from gancore import classifier
from gancore.data import LabeledImages

cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


@pytest.fixture(scope="module")
def mnist_test() -> LabeledImages:
    """The 10k test split from $GANCORE_DATA or the cache; skipped when absent (never downloads)."""
    try:
        return gc.data.mnist(download=False)
    except FileNotFoundError as error:
        pytest.skip(f"MNIST not available offline: {error}")


# --------------------------------------------------------------------------- KL and mixtures


def test_kl_to_uniform_closed_forms() -> None:
    assert gc.metrics.kl_to_uniform(torch.tensor([5, 5, 5, 5])) == pytest.approx(0.0, abs=1e-15)
    assert gc.metrics.kl_to_uniform(torch.tensor([0, 7, 0, 0])) == pytest.approx(math.log(4), rel=1e-12)
    assert gc.metrics.kl_to_uniform(torch.tensor([3, 3, 0, 0])) == pytest.approx(math.log(2), rel=1e-12)
    expected = 0.25 * math.log(0.5) + 0.75 * math.log(1.5)  # p = (1/4, 3/4) against (1/2, 1/2)
    assert gc.metrics.kl_to_uniform(torch.tensor([1, 3])) == pytest.approx(expected, rel=1e-12)
    assert math.isnan(gc.metrics.kl_to_uniform(torch.zeros(3)))


@pytest.mark.parametrize("make", [gc.data.grid, gc.data.ring])
def test_mode_coverage_of_exact_mixture_samples(make) -> None:
    mix = make()
    n = 10_000
    x = mix.sample(n, generator=torch.Generator().manual_seed(0))
    cov = gc.metrics.mode_coverage(x, mix)
    assert cov.modes == mix.modes
    # a 2-D Gaussian sample is within 3 std of its center with p = P(chi2_2 <= 9) = 1 - e^-4.5;
    # the HQ fraction is Binomial(n, p) / n: allow 5 standard errors (about 0.005 at n = 10,000)
    p = 1 - math.exp(-4.5)
    assert cov.hq == pytest.approx(p, abs=5 * math.sqrt(p * (1 - p) / n))
    # a multinomial histogram's KL to its (uniform) mean is about (K - 1) / (2 n) ~ 0.001
    assert 0 <= cov.kl < 0.01
    assert cov.counts.shape == (mix.modes,) and int(cov.counts.sum()) == round(cov.hq * n)


def test_mode_coverage_of_a_collapsed_sample() -> None:
    mix = gc.data.grid()
    x = mix.centers[7].expand(500, 2).clone()  # every point exactly at one center
    cov = gc.metrics.mode_coverage(x, mix)
    assert (cov.modes, cov.hq) == (1, 1.0)
    assert cov.kl == pytest.approx(math.log(25), rel=1e-12)
    assert int(cov.counts[7]) == 500


def test_mode_coverage_of_far_points() -> None:
    cov = gc.metrics.mode_coverage(torch.full((10, 2), 100.0), gc.data.ring())
    assert (cov.modes, cov.hq) == (0, 0.0) and math.isnan(cov.kl)


def test_mode_coverage_rejects_bad_input() -> None:
    with pytest.raises(TypeError, match="mixture"):
        gc.metrics.mode_coverage(torch.zeros(4, 2), "grid")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="samples"):
        gc.metrics.mode_coverage(torch.zeros(4, 3), gc.data.grid())


# --------------------------------------------------------------------------- Fréchet distance


def test_frechet_gaussians_diagonal_closed_form() -> None:
    g = torch.Generator().manual_seed(0)
    mu_a, mu_b = (
        torch.randn(6, generator=g, dtype=torch.float64),
        torch.randn(6, generator=g, dtype=torch.float64),
    )
    sd_a = torch.rand(6, generator=g, dtype=torch.float64) + 0.1
    sd_b = torch.rand(6, generator=g, dtype=torch.float64) + 0.1
    sd_b[0] = 0.0  # a singular covariance too
    fd = gc.metrics.frechet_distance_gaussians(mu_a, torch.diag(sd_a**2), mu_b, torch.diag(sd_b**2))
    expected = float((mu_a - mu_b).square().sum() + (sd_a - sd_b).square().sum())
    assert fd == pytest.approx(expected, rel=1e-10)


def test_frechet_gaussians_is_rotation_invariant_and_handles_singular_covariances() -> None:
    # diag(4, 1, 0) vs diag(1, 1, 0) (both singular), rotated by the same orthogonal Q:
    # the distance stays ||mu_a - mu_b||^2 + (2 - 1)^2 + 0 + 0
    q, _ = torch.linalg.qr(torch.randn(3, 3, generator=torch.Generator().manual_seed(1), dtype=torch.float64))
    cov_a = q @ torch.diag(torch.tensor([4.0, 1.0, 0.0], dtype=torch.float64)) @ q.T
    cov_b = q @ torch.diag(torch.tensor([1.0, 1.0, 0.0], dtype=torch.float64)) @ q.T
    mu_a, mu_b = torch.zeros(3, dtype=torch.float64), torch.tensor([1.0, 2.0, 2.0], dtype=torch.float64)
    fd = gc.metrics.frechet_distance_gaussians(mu_a, cov_a, mu_b, cov_b)
    assert fd == pytest.approx(9.0 + 1.0, rel=1e-7)


def test_frechet_distance_of_a_set_with_itself_is_zero_and_symmetric() -> None:
    g = torch.Generator().manual_seed(0)
    a = torch.randn(500, 16, generator=g)
    b = torch.randn(400, 16, generator=g) * 1.5 + 0.3
    assert gc.metrics.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-9)
    ab, ba = gc.metrics.frechet_distance(a, b), gc.metrics.frechet_distance(b, a)
    assert ab == pytest.approx(ba, rel=1e-9)
    # population value 16 * (0.3^2 + (1.5 - 1)^2) = 5.44; sampling noise is well under 1
    assert ab == pytest.approx(5.44, abs=1.0)


def test_frechet_distance_with_fewer_samples_than_dimensions() -> None:
    # n = 10 < d = 64: rank-9 covariances. A translated copy has the same covariance, so the
    # distance is exactly the squared shift.
    a = torch.randn(10, 64, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    shift = torch.linspace(-1, 1, 64, dtype=torch.float64)
    assert gc.metrics.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-8)
    fd = gc.metrics.frechet_distance(a, a + shift)
    assert math.isfinite(fd) and fd == pytest.approx(float(shift.square().sum()), rel=1e-10)


def test_frechet_distance_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="feats_a"):
        gc.metrics.frechet_distance(torch.zeros(1, 3), torch.zeros(5, 3))
    with pytest.raises(ValueError, match="width"):
        gc.metrics.frechet_distance(torch.zeros(5, 3), torch.zeros(5, 4))
    with pytest.raises(ValueError, match="NaN"):
        gc.metrics.frechet_distance(torch.full((5, 3), math.nan), torch.zeros(5, 3))
    with pytest.raises(ValueError, match="cov_b"):
        gc.metrics.frechet_distance_gaussians(torch.zeros(3), torch.eye(3), torch.zeros(3), torch.eye(2))


# --------------------------------------------------------------------------- precision / recall


def test_precision_recall_of_identical_sets() -> None:
    x = torch.randn(300, 8, generator=torch.Generator().manual_seed(0))
    assert gc.metrics.precision_recall(x, x) == gc.metrics.PrecisionRecall(1.0, 1.0)


def test_precision_recall_of_far_apart_sets() -> None:
    x = torch.randn(200, 8, generator=torch.Generator().manual_seed(0))
    pr = gc.metrics.precision_recall(x, x + 100.0)
    assert (pr.precision, pr.recall) == (0.0, 0.0)


def test_precision_recall_of_a_collapsed_generator() -> None:
    # real = two far-apart clusters of 150 points; fake = exactly the first cluster: every fake
    # point is real (precision 1) but only half the real points are reached (recall 1/2)
    g = torch.Generator().manual_seed(0)
    cluster = torch.randn(150, 4, generator=g)
    real = torch.cat([cluster, torch.randn(150, 4, generator=g) + 50.0])
    pr = gc.metrics.precision_recall(real, cluster, k=3, batch_size=64)
    assert (pr.precision, pr.recall) == (1.0, 0.5)


def test_precision_recall_rejects_bad_input() -> None:
    x = torch.zeros(10, 2)
    with pytest.raises(ValueError, match="k"):
        gc.metrics.precision_recall(x, x, k=0)
    with pytest.raises(ValueError, match="feats_fake"):
        gc.metrics.precision_recall(x, torch.zeros(3, 2), k=3)
    with pytest.raises(ValueError, match="widths"):
        gc.metrics.precision_recall(x, torch.zeros(10, 3))


# --------------------------------------------------------------------------- MNIST classifier


def test_shipped_weights_are_small() -> None:
    from importlib import resources

    size = len((resources.files("gancore") / "assets" / classifier.WEIGHTS).read_bytes())
    assert size < 1_000_000


def test_classifier_held_out_accuracy(mnist_test: LabeledImages) -> None:
    # the classifier trained on test images [0, 8000); [8000, 10000) were never seen
    images, labels = mnist_test.images[8000:], mnist_test.labels[8000:]
    predicted = gc.metrics.classify(images)
    assert predicted.shape == (2000,) and predicted.dtype == torch.int64
    assert (predicted == labels).double().mean() >= 0.985


def test_features_shape_and_batching(mnist_test: LabeledImages) -> None:
    x = mnist_test.images[:50]
    feats = gc.metrics.classifier_features(x)
    assert feats.shape == (50, 128) and feats.dtype == torch.float32 and not feats.requires_grad
    torch.testing.assert_close(gc.metrics.classifier_features(x, batch_size=7), feats)
    assert torch.equal(gc.metrics.classify(x, batch_size=7), gc.metrics.classify(x))


def test_classifier_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="images"):
        gc.metrics.classify(torch.zeros(4, 3, 28, 28))
    with pytest.raises(TypeError, match="float"):
        gc.metrics.classify(torch.zeros(4, 1, 28, 28, dtype=torch.uint8))
    with pytest.raises(ValueError, match="batch_size"):
        gc.metrics.classifier_features(torch.zeros(4, 1, 28, 28), batch_size=0)


def test_class_coverage_of_real_digits(mnist_test: LabeledImages) -> None:
    cov = gc.metrics.class_coverage(mnist_test.images)
    assert cov.modes == 10 and cov.counts.shape == (10,) and int(cov.counts.sum()) == 10_000
    # the true labels' KL to uniform is 0.0017 and the shipped classifier's 0.0015 (measured);
    # a classifier right on >= 98.5% of the images moves little mass between classes
    assert cov.kl < 0.005


def test_stacked_mnist_coverage_of_real_data(mnist_test: LabeledImages) -> None:
    # 10,000 real stacked digits hit all 1000 true modes but for a Poisson(0.07) few (see
    # test_data). Each image's 3 digits are all read right with p >= 0.985^3 = 0.955; a misread
    # moves an image to another mode and empties a mode only if it held ~10 images all misread.
    # Measured: 1000 modes, kl 0.058 (seeds 1 and 2: 1000 modes, kl 0.057 and 0.053).
    ds = gc.data.stacked_mnist(10_000, seed=0, download=False)
    cov = gc.metrics.stacked_mnist_coverage(ds.images)
    assert cov.modes >= 995
    assert cov.kl < 0.1  # multinomial noise alone gives about (1000 - 1) / (2 * 10,000) = 0.05
    assert cov.counts.shape == (1000,) and int(cov.counts.sum()) == 10_000


def test_stacked_mnist_coverage_of_a_collapsed_batch(mnist_test: LabeledImages) -> None:
    image = gc.data.stacked_mnist(1, seed=3, download=False).images  # (1, 3, 28, 28)
    cov = gc.metrics.stacked_mnist_coverage(image.expand(64, -1, -1, -1))
    assert cov.modes == 1
    assert cov.kl == pytest.approx(math.log(1000), rel=1e-12)


def test_label_coverage_counts_classes_and_their_kl() -> None:
    cov = gc.metrics.label_coverage(torch.tensor([0, 0, 1, 3]), 4)
    assert cov.modes == 3 and cov.counts.tolist() == [2, 1, 0, 1]
    # p = (1/2, 1/4, 0, 1/4) against 1/4 each: KL = 1/2 log 2 + 1/4 log 1 + 1/4 log 1
    assert cov.kl == pytest.approx(0.5 * math.log(2), rel=1e-12)
    with pytest.raises(ValueError, match=r"0\.\.3"):
        gc.metrics.label_coverage(torch.tensor([0, 4]), 4)
    with pytest.raises(ValueError, match="int64"):
        gc.metrics.label_coverage(torch.tensor([0.0, 1.0]), 4)


def test_stacked_modes_counts_digit_triples() -> None:
    digits = torch.tensor([[1, 2, 3], [1, 2, 3], [0, 0, 9], [9, 9, 9]])
    cov = gc.metrics.stacked_modes(digits)
    assert cov.modes == 3 and cov.counts[123] == 2 and cov.counts[9] == 1 and cov.counts[999] == 1
    # KL(p || uniform over 1000) = sum p log(1000 p) with p = (1/2, 1/4, 1/4)
    expected = 0.5 * math.log(500) + 2 * 0.25 * math.log(250)
    assert cov.kl == pytest.approx(expected, rel=1e-12)
    with pytest.raises(ValueError, match=r"0\.\.9"):
        gc.metrics.stacked_modes(torch.tensor([[1, 2, 10]]))
    with pytest.raises(ValueError, match=r"\(N, 3\)"):
        gc.metrics.stacked_modes(torch.tensor([[1, 2]]))


def test_stacked_mnist_coverage_rejects_single_channel() -> None:
    with pytest.raises(ValueError, match=r"\(N, 3, 28, 28\)"):
        gc.metrics.stacked_mnist_coverage(torch.zeros(2, 1, 28, 28))


# --------------------------------------------------------------------------- CUDA


@pytest.mark.cuda
@cuda
def test_metrics_on_cuda_match_cpu(mnist_test: LabeledImages) -> None:
    x = mnist_test.images[:300]
    x_cuda = x.cuda()
    feats, feats_cuda = gc.metrics.classifier_features(x), gc.metrics.classifier_features(x_cuda)
    assert feats_cuda.device.type == "cuda"
    torch.testing.assert_close(feats_cuda.cpu(), feats, atol=1e-3, rtol=1e-3)
    labels_cuda = gc.metrics.classify(x_cuda)
    assert labels_cuda.device.type == "cuda" and labels_cuda.dtype == torch.int64
    assert (labels_cuda.cpu() == gc.metrics.classify(x)).double().mean() >= 0.99
    a, b = feats[:150], feats[150:]
    a_cuda, b_cuda = feats_cuda[:150], feats_cuda[150:]
    fd = gc.metrics.frechet_distance(a, b)
    assert gc.metrics.frechet_distance(a_cuda, b_cuda) == pytest.approx(fd, rel=1e-3)
    assert gc.metrics.precision_recall(a_cuda, a_cuda) == gc.metrics.PrecisionRecall(1.0, 1.0)
    assert gc.metrics.class_coverage(x_cuda).modes == 10


def test_coverage_over_scores_every_snapshot():
    mix = gc.data.ring(modes=8, radius=2.0, std=0.02)
    on_modes = mix.centers.repeat(10, 1)  # (80, 2): every mode hit, every sample HQ
    far = torch.full((80, 2), 10.0)
    curves = gc.metrics.coverage_over([(0, far), (100, on_modes)], mix)
    assert list(curves["step"]) == [0, 100] and list(curves["modes"]) == [0, 8]
    assert list(curves["hq"]) == [0.0, 1.0] and math.isnan(curves["kl"][0]) and curves["kl"][1] == 0.0
    assert curves["counts"].shape == (2, 8) and curves["counts"][1].sum() == 80
    with pytest.raises(ValueError, match="sample_every"):
        gc.metrics.coverage_over([], mix)


def test_loading_the_classifier_leaves_the_global_random_stream_alone() -> None:
    """A benchmark scores a run mid-training: loading the classifier then must not change the run."""
    classifier._cached.cache_clear()
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    classifier.load_classifier("cpu")  # builds (and randomly initializes) the model before loading weights
    assert torch.equal(torch.rand(3), expected)
