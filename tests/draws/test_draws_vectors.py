"""The code gives exactly the test vectors published in docs/draws.md (issue 21)."""

from __future__ import annotations

import hashlib
import re

from enforcewatch.draws.hashing import Stream, commitment, leaf, tagged
from enforcewatch.draws.selection import ClassDraw, count_for, run, shuffle_prefix
from support.draws import ROOT, vectors


def test_tagged_hash_is_length_prefixed_sha256() -> None:
    # Independent of the module: the documented encoding, written out by hand.
    want = hashlib.sha256(b"\0\0\0\x0dewdraw-1/test" b"\0\0\0\x01a" b"\0\0\0\x02bc").hexdigest()
    assert tagged("ewdraw-1/test", "a", "bc") == want
    for v in vectors()["tagged"]:
        assert tagged(v["tag"], *v["fields"]) == v["hex"]


def test_commitment_and_leaf() -> None:
    v = vectors()
    c, lf = v["commitment"], v["leaf"]
    assert commitment(c["draw"], c["party"], c["secret"]) == c["hex"]
    assert leaf(lf["draw"], lf["uscc"], lf["salt"]) == lf["hex"]


def test_stream_words_and_unbiased_uniform() -> None:
    v = vectors()["stream"]
    s = Stream(v["seed"], v["label"])
    assert [s.word() for _ in range(4)] == v["words"]
    s = Stream(v["seed"], v["label"])
    assert [s.uniform(10) for _ in range(10)] == v["uniform_10"]
    # n = 3·2^30: words 3 and 4 are at or above the limit and are drawn again.
    s = Stream(v["seed"], v["label"])
    assert [s.uniform(3221225472) for _ in range(3)] == v["uniform_3221225472"]


def test_counts() -> None:
    for size, bp, want in vectors()["counts"]:
        assert count_for(size, bp) == want, (size, bp)


def test_shuffle_and_whole_draw() -> None:
    v = vectors()
    sh = v["shuffle"]
    assert shuffle_prefix(sh["items"], len(sh["items"]), Stream(sh["seed"], sh["label"])) == sh["order"]
    d = v["draw"]
    picks = run(d["seed"], [ClassDraw(c["code"], c["leaves"], c["count"]) for c in d["classes"]],
                d["inspectors"], d["team_size"], d["avoid"])
    assert [[p.credit_class, p.leaf, list(p.inspectors)] for p in picks] == d["result"]


def test_avoid_rule_in_the_vector() -> None:
    d = vectors()["draw"]
    result = {leaf: team for _, leaf, team in d["result"]}
    assert "I2" not in result["f05"]
    assert result["e07"][0] == "I5"  # the only inspector e07 did not have last time comes first


def test_every_test_the_rules_table_names_exists() -> None:
    text = (ROOT / "docs" / "draws.md").read_text(encoding="utf-8")
    named = re.findall(r"`(tests/[\w/]+\.py)::(test_\w+)`", text)
    assert len(named) >= 8
    for path, name in named:
        source = (ROOT / path).read_text(encoding="utf-8")
        assert re.search(rf"^def {name}\(", source, re.M), f"{path}::{name} named in docs/draws.md does not exist"
