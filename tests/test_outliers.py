"""Modified z-score outliers (MAD* scale) and the change check: pure functions, with property tests."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_xl.engine import change, outliers
from cchc_xl.engine.outliers import center_scale, modified_z, run_outliers

SPREAD = [1000 + 73 * i for i in range(12)]


def test_planted_x10_typo_is_an_outlier():
    values = {f"xa{i}": float(v) for i, v in enumerate(SPREAD)}
    values["xa5"] *= 10
    found = modified_z(values)
    assert [o.key for o in found] == ["xa5"]
    o = found[0]
    assert o.value == 13650 and o.median > 1000 and o.z > 3.5 and math.isfinite(o.z)


def test_planted_divide_by_10_typo_is_an_outlier():
    # below the median a value can deviate at most by the median itself, so a ÷10 typo stands out only
    # where communes are alike (as they are on most indicators); on a very wide spread it may not
    values = {f"xa{i}": float(1500 + 20 * i) for i in range(12)}
    values["xa7"] /= 10
    assert [o.key for o in modified_z(values)] == ["xa7"]


def test_consistent_values_give_no_outlier():
    assert modified_z({i: float(v) for i, v in enumerate(SPREAD)}) == []


def test_nearly_constant_rates_are_not_flagged_for_rounding_noise():
    rates = {i: 100.0 for i in range(15)} | {20: 99.9, 21: 99.95, 22: 99.8, 23: 99.5}
    assert modified_z(rates) == []


def test_mad_zero_all_zero_majority_gives_finite_z_and_flags_only_a_big_value():
    base = {i: 0.0 for i in range(20)} | {20: 1.0, 21: 1.0, 22: 2.0}
    assert modified_z(base) == []  # 1 and 2 among zeros are ordinary
    found = modified_z(base | {23: 30.0})
    assert [o.key for o in found] == [23]
    assert math.isfinite(found[0].z) and found[0].median == 0


def test_all_equal_values_flag_nothing():
    assert modified_z({i: 7.0 for i in range(30)}) == []
    assert center_scale([7.0] * 30) == (7.0, 0.0, 0)


def test_too_few_values_off_the_median_flag_nothing():
    # two odd values among equal ones: cannot tell which one is the typo
    assert modified_z({i: 5.0 for i in range(10)} | {10: 6.0, 11: 900.0}) == []


def test_threshold_is_configurable():
    values = {i: float(v) for i, v in enumerate(SPREAD)} | {"x": 2600.0}
    assert modified_z(values, threshold=3.5) == []
    assert [o.key for o in modified_z(values, threshold=1.5)] == ["x"]


def test_per_size_check_flags_files_per_procedure():
    rows = {f"xa{i}": {"size": 100 + 5 * i, "files": 1000 + 73 * i} for i in range(12)}
    rows["xa3"]["size"] = 12  # files fine in absolute terms, ×10 per procedure
    found = run_outliers(rows, ["files"], per_size=["files"], size_code="size")
    per = [o for o in found if o.per == "size"]
    assert [(o.unit, o.code) for o in per] == [("xa3", "files")]
    assert not [o for o in found if o.per is None and o.code == "files"]


values_st = st.lists(st.integers(min_value=0, max_value=10_000).map(float), min_size=1, max_size=60)


@settings(max_examples=300, deadline=None)
@given(values_st, st.integers(min_value=1, max_value=200), st.floats(min_value=0.5, max_value=6))
def test_outliers_are_invariant_to_adding_communes_at_the_median(xs, extra, threshold):
    """Adding communes whose value equals the median changes neither the median nor MAD* (computed over
    the communes off the median), so the original communes' z-scores and verdicts are identical and the
    added ones (z = 0) are never flagged."""
    before = {i: x for i, x in enumerate(xs)}
    m = center_scale(xs)[0]
    after = before | {("added", j): m for j in range(extra)}
    assert center_scale(after.values()) == center_scale(xs)
    flagged_before = {o.key: o.z for o in modified_z(before, threshold)}
    flagged_after = {o.key: o.z for o in modified_z(after, threshold)}
    assert flagged_after == flagged_before


def test_plain_mad_would_not_be_invariant():
    """Why MAD* and not the plain MAD: with the plain MAD, adding median-valued communes shrinks the scale
    to 0 (every z infinite); MAD* keeps its value."""
    xs = [10.0, 12.0, 14.0, 16.0, 18.0, 20.0]
    m = 15.0
    plain = sorted(abs(x - m) for x in xs + [m] * 20)
    plain_mad = plain[len(plain) // 2]
    assert plain_mad == 0  # plain MAD collapses: every z would be infinite
    assert center_scale(xs + [m] * 20)[1] == center_scale(xs)[1] > 0


# ------------------------------------------------------------------------------------------- change


def test_x10_jump_is_flagged_with_both_values():
    found = change.compare({"a": 16030, "b": 20}, {"a": 1603, "b": 18}, ["a", "b"])
    assert [(c.code, c.old, c.new, c.kind) for c in found] == [("a", 1603, 16030, "ratio")]
    assert math.isclose(found[0].ratio, 10)


def test_zero_to_non_zero_is_flagged_above_the_floor_only():
    assert [c.kind for c in change.compare({"a": 40}, {"a": 0}, ["a"])] == ["zero"]
    assert [c.kind for c in change.compare({"a": 0}, {"a": 40}, ["a"])] == ["zero"]
    assert change.compare({"a": 3}, {"a": 0}, ["a"]) == []  # 0 → 3 disciplined officials: news, not a typo


def test_ordinary_growth_and_blanks_are_not_flagged():
    assert change.compare({"a": 1800, "b": None}, {"a": 1603, "b": 5}, ["a", "b"]) == []
    assert change.compare({"a": 1800}, {}, ["a"]) == []


def test_ratio_band_is_configurable():
    assert change.compare({"a": 3000}, {"a": 1000}, ["a"], ratio=5) == []
    assert len(change.compare({"a": 3000}, {"a": 1000}, ["a"], ratio=2)) == 1


def test_previous_period_and_same_period_last_year():
    stored = [("quy1", 2023), ("quy4", 2022), ("quy2", 2022), ("nam", 2022)]
    assert change.previous_period(("quy2", 2023), stored) == ("quy1", 2023)
    assert change.previous_period(("quy1", 2023), stored) == ("nam", 2022)  # same end: longer one is later
    assert change.same_period_last_year(("quy2", 2023), stored) == ("quy2", 2022)
    assert change.same_period_last_year(("quy3", 2023), stored) is None
    assert change.previous_period(("quy1", 2022), stored) is None


def test_size_indicators_exist_in_their_forms():
    from cchc_xl.model.catalog import load_form

    for form_id, (code, word) in outliers.SIZE_INDICATORS.items():
        form = load_form(form_id)
        assert code in {i.code for i in form.cells}
        assert any(word in (i.unit or "").casefold() for i in form.cells if i.kind == "count")
