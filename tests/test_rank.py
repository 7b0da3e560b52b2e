"""Ranking conventions of the PAR Index (domain.md §2.5–2.7): competition, dense, ordinal, change, classes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cchc_xl.engine import rank


def test_competition_rank_on_constructed_ties():
    got = rank.competition_rank({"a": 90, "b": 85.5, "c": 90.0, "d": None, "e": 70, "f": "x"})
    assert got == {"a": 1, "c": 1, "b": 3, "e": 4}  # blank and text are not ranked


def test_ties_are_decided_on_three_decimals_not_on_the_display():
    # 87,7474 and 87,747 are the same stored score; 87,7475 rounds half-up to 87,748 and is ahead.
    got = rank.competition_rank({"x": 87.7474, "y": 87.747, "z": 87.7475, "w": 87.74})
    assert got == {"z": 1, "x": 2, "y": 2, "w": 4}
    assert rank.quantize(0.1 + 0.2) == Decimal("0.300")


def test_dense_rank_counts_distinct_levels_like_the_seeds():
    # Seed 002, field 2: 23 communes, 21 tied on full marks → "xếp hạng 1/3, cùng nhóm hạng với 20 xã".
    scores = {f"x{i}": 5 for i in range(21)} | {"y": 4.75, "z": 4.5}
    ranks, levels = rank.dense_rank(scores)
    assert levels == 3
    assert ranks["x0"] == 1 and ranks["y"] == 2 and ranks["z"] == 3
    assert sum(1 for r in ranks.values() if r == 1) - 1 == 20
    assert rank.level_text(ranks["x3"], levels) == "hạng 1/3"


def test_ordinal_rank_keeps_the_given_order_for_ties():
    assert rank.ordinal_rank({"b": 5, "a": 5, "c": 6}) == {"c": 1, "b": 2, "a": 3}


def test_rank_change_and_its_wording():
    # Seed 000: 2021 rank 23 → 2022 rank 13, "tăng 10 thứ bậc".
    assert rank.rank_change(13, 23) == 10
    assert rank.change_text(10) == "tăng 10 bậc"
    assert rank.change_text(rank.rank_change(5, 3)) == "giảm 2 bậc"
    assert rank.change_text(0) == "giữ nguyên"
    assert rank.rank_change(None, 3) is None and rank.change_text(None) == ""
    assert rank.position_text(9, 20) == "thứ 9/20"


def test_default_classes_and_a_clerks_table():
    assert [rank.classify(v) for v in (95, 90, 89.9999, 80, 75, 50, 10, None)] == [
        "Xuất sắc", "Xuất sắc", "Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu", ""]
    # 89,9999 is 90,000 at the stored precision, hence "Xuất sắc" above.
    table = rank.parse_classes("ten,tu\nHoàn thành tốt nhiệm vụ,\"85,5\"\nHoàn thành nhiệm vụ,60\n")
    assert [c.name for c in table] == ["Hoàn thành tốt nhiệm vụ", "Hoàn thành nhiệm vụ"]
    assert rank.classify(87.75, table) == "Hoàn thành tốt nhiệm vụ"
    assert rank.classify(85.4, table) == "Hoàn thành nhiệm vụ"
    assert rank.classify(59, table) == ""


@pytest.mark.parametrize("text", ["a,b\nx,1\n", "ten,tu\nTốt,abc\n", "ten,tu\n", "ten,tu\nA,80\nB,80\n"])
def test_bad_class_tables_are_refused_in_vietnamese(text):
    with pytest.raises(rank.DataError) as info:
        rank.parse_classes(text, "xep-loai.csv")
    assert all("xep-loai.csv" in p for p in info.value.problems)


def test_load_classes_from_a_file(tmp_path):
    path = tmp_path / "loai.csv"
    path.write_text("name,min\nA,90\nB,0\n", encoding="utf-8-sig")
    assert rank.classify(91, rank.load_classes(path)) == "A"
    with pytest.raises(rank.DataError):
        rank.load_classes(tmp_path / "khong-co.csv")


# ------------------------------------------------------------------------------------------ properties

scores = st.dictionaries(
    st.integers(0, 60),
    st.one_of(st.none(), st.integers(0, 100), st.floats(0, 100, allow_nan=False).map(lambda x: round(x, 4))),
    max_size=40,
)


def _q(values):
    return {k: rank.quantize(v) for k, v in values.items() if rank.quantize(v) is not None}


@given(scores)
def test_competition_rank_is_one_plus_the_number_strictly_ahead(values):
    q = _q(values)
    got = rank.competition_rank(values)
    assert set(got) == set(q)
    for k, r in got.items():
        assert r == 1 + sum(1 for v in q.values() if v > q[k])


@given(scores)
def test_dense_rank_is_one_plus_the_distinct_levels_ahead(values):
    q = _q(values)
    got, levels = rank.dense_rank(values)
    assert levels == len(set(q.values()))
    for k, r in got.items():
        assert r == 1 + len({v for v in q.values() if v > q[k]})
        assert 1 <= r <= levels


@given(scores)
def test_ordinal_rank_is_a_permutation_consistent_with_the_scores(values):
    q = _q(values)
    got = rank.ordinal_rank(values)
    assert sorted(got.values()) == list(range(1, len(q) + 1))
    for a in got:
        for b in got:
            if q[a] > q[b]:
                assert got[a] < got[b]


@given(scores)
def test_ranks_agree_with_each_other(values):
    comp, dense, ordinal = rank.competition_rank(values), rank.dense_rank(values)[0], rank.ordinal_rank(values)
    for k in comp:
        assert dense[k] <= comp[k] <= ordinal[k]


@given(st.integers(1, 500), st.integers(1, 500))
def test_rank_change_is_antisymmetric(a, b):
    assert rank.rank_change(a, b) == -rank.rank_change(b, a)
    text = rank.change_text(rank.rank_change(a, b))
    assert text.startswith("tăng" if b > a else "giảm" if b < a else "giữ")
