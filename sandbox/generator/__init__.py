"""Deterministic institution data for the emulators: ``generate(seed, size)``.

Sizes: ``demo`` (~300 users, ~1.5k enrollments), ``small``, ``medium`` and ``1m`` (exactly
1,000,000 enrollments). See ``sizes.py`` for the numbers.
"""

from sandbox.generator.build import DISTRICT_ID, generate
from sandbox.generator.records import Institution
from sandbox.generator.sizes import SIZES, SizeSpec, size_spec

__all__ = ["DISTRICT_ID", "SIZES", "Institution", "SizeSpec", "generate", "size_spec"]
