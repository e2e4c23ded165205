"""Test-wide settings.

Hypothesis draws fresh examples on every local run (that is how it finds bugs), but CI must not
pass or fail by luck: with ``CI`` set, examples are derived from each test's name instead
(``derandomize``), so a CI run is repeatable. A failure found locally prints its seed.
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
