"""The book's precomputed studies: long comparisons run once, stored as JSON with their provenance.

A chapter that needs more training than it can afford under CI (the protocol budgets of
``book/appendix/protocol.ipynb``) loads a study instead of training: ``scripts/run_study.py NAME``
runs it and writes ``book/results/NAME.json``. :func:`load` refuses a file whose fingerprint no
longer matches the study's definition, and :func:`replay` re-trains one run up to a checkpoint
to check that the code still produces the stored numbers.

- :mod:`~gancore.studies.store`: ``Study``, ``load``, ``replay`` and ``verify`` (on the CPU
  kernels the study recorded, ``cpu_kernels``), ``run_study``, ``rehash``.
- :mod:`~gancore.studies.book`: ``STUDIES``, the book's studies; the variants of Parts III and IV;
  ``with_baseline`` and ``toolkit``, the tables chapters compare; the recipe's variants.
- :mod:`~gancore.studies.images`: Part V's studies on MNIST, and their variants.
"""

from .book import (
    PART4,
    RECIPE_BUDGET,
    STUDIES,
    part3_variants,
    part4_variants,
    recipe_variants,
    toolkit,
    toolkit_effects,
    with_baseline,
)
from .images import (
    DCGAN_D,
    PART5_STEPS,
    STACKED_STEPS,
    conditional_variants,
    dcgan_variants,
    stacked_variants,
)
from .store import (
    StaleStudyError,
    Study,
    cpu_kernels,
    load,
    rehash,
    replay,
    replayable,
    results_folder,
    run_study,
    verify,
)

__all__ = [
    "Study",
    "StaleStudyError",
    "STUDIES",
    "part3_variants",
    "PART4",
    "part4_variants",
    "RECIPE_BUDGET",
    "recipe_variants",
    "PART5_STEPS",
    "dcgan_variants",
    "conditional_variants",
    "STACKED_STEPS",
    "stacked_variants",
    "DCGAN_D",
    "with_baseline",
    "toolkit",
    "toolkit_effects",
    "results_folder",
    "load",
    "replay",
    "verify",
    "replayable",
    "cpu_kernels",
    "run_study",
    "rehash",
]
