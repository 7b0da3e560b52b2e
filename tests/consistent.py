"""Fully consistent communes (issue 11 item 5): every input, breakdown, coded answer and score filled so that
every rule of the form holds. Built constructively from a hypothesis ``draw``: wholes first, parts within
them, sums from their parts — so a finding on such a commune is a false alarm (or two rules that cannot
both hold).
"""

from __future__ import annotations

import itertools

from hypothesis import strategies as hs

from cchc_xl.model.catalog import Framework, load_form

META = {"tinh": "Hải Dương", "huyen": "Tứ Kỳ", "xa": "Quang Khải", "ma_xa": "11101", "ky": "nam", "nam": 2023,
        "nguoi_lap": "Công chức Văn phòng – Thống kê", "ngay_lap": "2024-01-05"}


class _Draw:
    def __init__(self, draw):
        self.draw = draw

    def n(self, low: int = 0, high: int = 60) -> int:
        return self.draw(hs.integers(low, max(low, high)))

    def within(self, whole: int, share: float = 1.0) -> int:
        return self.n(0, int(whole * share))

    def pct(self) -> float:
        return self.draw(hs.integers(0, 10000)) / 100

    def parts(self, whole: int, k: int) -> list[int]:
        """k non-negative whole numbers summing to ``whole``."""
        cuts = sorted(self.n(0, whole) for _ in range(k - 1))
        edges = [0, *cuts, whole]
        return [b - a for a, b in itertools.pairwise(edges)]


def _coded(form, v: dict, d: _Draw) -> None:
    for ind in form.inputs:
        if ind.kind == "coded" and ind.code not in v:
            v[ind.code] = d.draw(hs.sampled_from(ind.allowed_values))


def hai_duong_values(d: _Draw) -> dict:
    v: dict = {}
    v["BM1-1"] = d.n()
    v["BM1-2.1"] = d.n(1)
    v["BM1-2.2"] = d.within(v["BM1-2.1"])
    v["BM1-3.1"], v["BM1-3.2"] = d.n(), d.n()
    v["BM1-3.3.1"] = d.n(1)
    v["BM1-3.3.2"] = d.within(v["BM1-3.3.1"])
    v["BM1-4.1"] = d.n(3)
    v["BM1-4.2"], v["BM1-4.3"], v["BM1-4.4"] = (d.within(v["BM1-4.1"], 1 / 3) for _ in range(3))
    v["BM1-5.1"] = d.n(1, 2000)
    v["BM2-1.3"], v["BM2-2.1"], v["BM2-3.1"] = d.n(), d.n(), d.n()
    for whole, part in (("BM2-2.2.1", "BM2-2.2.2"), ("BM2-3.2.1", "BM2-3.2.2")):
        v[whole] = d.n(1)
        v[part] = d.within(v[whole])
    total = v["BM3-1.4"] = v["BM3-1.4.3"] = d.n(40, 300)
    v["BM3-1.1"], v["BM3-1.2"], v["BM3-1.3"], v["BM3-2.3"] = (d.within(total) for _ in range(4))
    v["BM3-2.1"], v["BM3-2.2"] = d.within(total, 0.5), d.within(total, 0.5)
    for whole, part in (("BM3-3.3.1", "BM3-3.3.2"), ("BM3-3.4.1", "BM3-3.4.2")):
        v[whole] = d.n(1, 3000)
        v[part] = d.within(v[whole])
    v["BM4-1.2"], v["BM4-2.5"] = d.pct(), d.pct()
    v["BM4-2.1"] = d.n(1, 30)
    v["BM4-2.2"] = d.within(v["BM4-2.1"])
    v["BM4-2.3"], v["BM4-2.4"] = d.n(0, 10), d.n(0, 5)
    v["BM5-1.1"], v["BM5-1.2"], v["BM5-1.3"], v["BM5-3"] = d.n(), d.n(), d.n(), d.n()
    for head in ("BM5-2", "BM5-4"):
        v[head] = d.n(0, 20)
        for i, p in enumerate(d.parts(v[head], 5), start=1):
            v[f"{head}.{i}"] = p
    v["BM6-1.1"] = d.n(1, 20000) + d.n(0, 9) / 10
    v["BM6-1.2"] = round(v["BM6-1.1"] * d.n(0, 100) / 100, 1)
    v["BM6-2.4"] = d.n(0, 10)
    v["BM6-2.4.1"], v["BM6-2.4.2"], v["BM6-2.4.3"] = d.parts(v["BM6-2.4"], 3)
    v["BM6-2.2"], v["BM6-2.3"], v["BM6-2.5"], v["BM6-2.6"] = d.n(0, 5), d.n(0, 5), d.n(0, 5), d.n(0, 5)
    v["BM6-2.1"] = v["BM6-2.2"] + v["BM6-2.3"] + v["BM6-2.4"] + v["BM6-2.5"]
    v["BM7-3"], v["BM7-5.1.3"], v["BM7-5.3.3"] = d.pct(), d.pct(), d.pct()
    v["BM7-5.2"] = v["BM7-5.2.3"] = d.pct()
    for lvl in ("4", "5"):
        v[f"BM7-6.{lvl}.1"] = d.within(total, 0.5)
        v[f"BM7-6.{lvl}.2"] = d.within(v[f"BM7-6.{lvl}.1"])
        v[f"BM7-6.{lvl}.3"] = d.within(v[f"BM7-6.{lvl}.2"])
    v["BM7-6.6.1"] = v["BM7-6.4.2"] + v["BM7-6.5.2"]
    v["BM7-6.6.2"] = d.within(v["BM7-6.6.1"])
    v["BM7-6.7.1"] = d.n(1, 3000)
    v["BM7-6.7.2"] = d.within(v["BM7-6.7.1"])
    v["BM7-6.8.1"] = d.within(total)
    v["BM7-6.8.2"] = d.within(v["BM7-6.8.1"])
    _coded(load_form("hai-duong-bieu-mau-2022"), v, d)
    return v


def phu_luc_values(d: _Draw) -> dict:
    v: dict = {}
    for code in ("1.1", "1.2", "1.2.1", "1.4.1", "2.1", "3.1", "3.2", "3.3.3", "3.3.5", "3.4", "3.4.1", "3.4.2",
                 "3.5", "4.1", "4.1.3", "5.4.5", "5.4.6", "7.2.3"):
        v[code] = d.n()
    for whole, part in (("1.1.1", "1.1.2"), ("1.2.2", "1.2.3")):
        v[whole] = d.n(1)
        v[part] = d.within(v[whole])
    v["1.1.3"] = d.n()
    v["1.3.1"] = d.n(2)
    v["1.3.2"], v["1.3.3"] = d.within(v["1.3.1"], 0.5), d.within(v["1.3.1"], 0.5)
    v["2.2"], v["2.3"] = d.n(1), d.n(1)
    v["2.4"] = d.within(v["2.2"] + v["2.3"])
    v["2.5"] = d.within(v["2.4"])
    total = v["3.1.3"] = d.n(40, 300)
    for code in ("3.1.1", "3.1.2", "3.2.1", "3.2.6", "3.4.3"):
        v[code] = d.within(total)
    v["3.2.2"], v["3.2.3"] = d.within(total, 0.5), d.within(total, 0.5)
    v["7.5.1"], v["7.5.2"] = d.n(1, total // 2), d.n(1, total // 2)
    v["3.2.4"], v["3.2.5"], v["4.1.4"], v["5.4.2"] = d.pct(), d.pct(), d.pct(), d.pct()
    a = d.draw(hs.integers(0, 50)) / 100
    v["7.2.3.a"] = round(a * 100, 2)
    v["7.2.3.b"] = round(d.draw(hs.integers(0, 50)) / 100 * 100, 2)
    # 3.3.1: four exclusive receiving channels; 3.3.2: resolved on time, split by return channel (a + b), with
    # online levels c, d as subsets of the online files received (3.3.1.c/d) — the form's meaning (S4-02).
    ch = [d.n(1, 800) for _ in range(4)]
    v["3.3.1.a"], v["3.3.1.b"], v["3.3.1.c"], v["3.3.1.d"] = ch
    v["3.3.1"] = sum(ch)
    v["3.3.2.c"], v["3.3.2.d"] = d.within(ch[2]), d.within(ch[3])
    online = v["3.3.2.c"] + v["3.3.2.d"]
    v["3.3.2"] = online + d.within(ch[0] + ch[1])
    v["3.3.2.a"], v["3.3.2.b"] = d.parts(v["3.3.2"], 2)
    v["4.1.1"] = d.n(1, 30)
    v["4.1.2"] = d.within(v["4.1.1"])
    _coded(load_form("phu-luc-01b"), v, d)
    return v


def _split(d: _Draw, fw: Framework, code: str, milli: int, out: dict) -> None:
    """Give ``code`` ``milli`` thousandths of a point and split it over its children within their maxima."""
    out[code] = milli / 1000
    crit = fw.criterion(code)
    if not crit.children:
        return
    kids = [fw.criterion(c) for c in crit.children]
    bounded = [k for k in kids if k.max is not None]
    free = [k for k in kids if k.max is None]
    left = milli
    shares: dict[str, int] = {}
    for k in bounded:
        cap = min(int(k.max * 1000), left)
        shares[k.code] = d.n(0, cap) if free else 0
        left -= shares[k.code]
    if free:
        for k, p in zip(free, d.parts(left, len(free)), strict=True):
            shares[k.code] = p
    else:  # every child bounded: fill them in order up to their maxima
        for k in bounded:
            add = min(int(k.max * 1000) - shares[k.code], left)
            shares[k.code] += add
            left -= add
    for k in kids:
        _split(d, fw, k.code, shares[k.code], out)


def scores(d: _Draw, fw: Framework) -> tuple[dict, dict]:
    """Self and appraised scores for every criterion, each field within its maximum, children summing up."""
    own: dict = {}
    appraised: dict = {}
    for f in fw.fields:
        mx = int(f.max * 1000) if f.max is not None else 10000
        _split(d, fw, f.code, d.n(0, mx), appraised)
        if f.self_assessed:
            _split(d, fw, f.code, d.n(0, mx), own)
    return ({k: v for k, v in own.items() if not fw.criterion(k).computed},
            {k: v for k, v in appraised.items() if not fw.criterion(k).computed})


@hs.composite
def consistent_commune(draw, form_id: str, framework: Framework | None) -> dict:
    d = _Draw(draw)
    values = hai_duong_values(d) if form_id == "hai-duong-bieu-mau-2022" else phu_luc_values(d)
    doc = {"form": form_id, "meta": dict(META), "values": values}
    if framework is not None:
        doc["scores"], doc["appraised"] = scores(d, framework)
    return doc
