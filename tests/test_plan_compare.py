"""plan.compare: common random numbers pay (paired CI far narrower than unpaired), a variant
equal to the base differs by exactly zero, differences are the differences of the levels, and
--variant texts keep commas inside values."""

from __future__ import annotations

import numpy as np
import pytest

from plan.compare import Variant, compare, paired_difference, parse_variant
from scenarios.load import load_builtin
from sim.errors import SimError


@pytest.fixture(scope="module")
def comparison():
    base = load_builtin("clinic")
    one_more = load_builtin("clinic", ["agent_groups.reception.staffing[1]=7"])
    return compare([Variant("base", base), Variant("base again", base),
                    Variant("one more at 09:00", one_more, ("…",))], entropy=4, replications=12)


def test_crn_makes_the_paired_ci_of_a_small_change_much_narrower(comparison):
    for metric in ("answered", "abandoned", "p_abandon", "lost_share"):
        d = comparison.totals[2][metric]
        assert d.significant, (metric, d)
        assert d.ci95_unpaired > 2.5 * d.ci95, (metric, d)  # measured 3-5x on the clinic


def test_the_same_scenario_differs_by_exactly_zero(comparison):
    for metric, d in comparison.totals[1].items():
        if d.n:
            assert d.mean == 0 and d.ci95 == 0 and not d.significant, metric


def test_difference_is_the_difference_of_the_levels(comparison):
    for metric in ("service_level", "asa_s", "answered"):
        d = comparison.totals[2][metric]
        level = comparison.results[2].summary[metric].mean - comparison.results[0].summary[
            metric].mean
        assert d.mean == pytest.approx(level, rel=1e-9, abs=1e-12)
    # The 09:00 change acts at 09:00; 08:00 callers gain only where still queued at 09:00.
    at_8, at_9 = (comparison.intervals[2][k]["answered"] for k in (0, 1))
    assert at_9.significant and 0 <= at_8.mean < at_9.mean / 4


def test_paired_difference_against_scipy():
    from scipy import stats

    rng = np.random.default_rng(1)
    a = rng.normal(size=15)
    b = a + 0.3 + rng.normal(scale=0.1, size=15)
    d = paired_difference(a, b)
    res = stats.ttest_rel(b, a)
    ci = res.confidence_interval(0.95)
    assert d.mean == pytest.approx((ci.high + ci.low) / 2)
    assert d.ci95 == pytest.approx((ci.high - ci.low) / 2)
    assert d.p_value == pytest.approx(res.pvalue)
    welch = stats.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
    assert d.ci95_unpaired == pytest.approx((welch.high - welch.low) / 2)


def test_parse_variant_keeps_commas_inside_values():
    name, overrides = parse_variant("morning:agent_groups.reception.staffing=[4,4,3],"
                                    "ivr.greeting.mean_s=15")
    assert name == "morning"
    assert overrides == ("agent_groups.reception.staffing=[4,4,3]", "ivr.greeting.mean_s=15")
    for bad in ("no colon", "name:", "name:justtext"):
        with pytest.raises(SimError, match="--variant"):
            parse_variant(bad)


def test_compare_needs_two_variants_with_unique_names():
    sc = load_builtin("clinic")
    with pytest.raises(SimError, match="at least two"):
        compare([Variant("a", sc)], entropy=1)
    with pytest.raises(SimError, match="unique"):
        compare([Variant("a", sc), Variant("a", sc)], entropy=1)


def test_precision_on_the_difference_adds_replications_until_met():
    base = load_builtin("clinic")
    alt = load_builtin("clinic", ["ivr.greeting.mean_s=15"])
    c = compare([Variant("base", base), Variant("greeting 15 s", alt)], entropy=2,
                replications=5, precision={"lost_share": 0.006})
    d = c.totals[1]["lost_share"]
    assert c.precision.met and c.replications == c.precision.replications > 5
    assert d.ci95 <= 0.006 and d.significant
