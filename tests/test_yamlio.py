"""YAML in with positions and nothing but plain data; YAML out deterministic."""
from __future__ import annotations

import gc
import os
from pathlib import Path

import pytest

from advisor import yamlio
from advisor.errors import Location, UserError


def test_positions_of_values_and_keys():
    doc = yamlio.loads(
        "version: 1\n"
        "flows:\n"
        "  - name: checkout\n"
        "    traffic: {average: 5/s, peak: 40/s}\n"
        "    steps: [a, b]\n"
        "    description: |\n"
        "      two\n"
        "      lines\n", "w.yaml")
    v, k = doc.values, doc.keys
    assert v[()] == Location("w.yaml", 1, 1)
    assert v[("version",)] == Location("w.yaml", 1, 10)
    assert k[("version",)] == Location("w.yaml", 1, 1)
    assert v[("flows",)] == Location("w.yaml", 3, 3)
    assert v[("flows", 0)] == Location("w.yaml", 3, 5)
    assert k[("flows", 0, "name")] == Location("w.yaml", 3, 5)
    assert v[("flows", 0, "name")] == Location("w.yaml", 3, 11)
    assert v[("flows", 0, "traffic")] == Location("w.yaml", 4, 14)
    assert k[("flows", 0, "traffic", "peak")] == Location("w.yaml", 4, 29)
    assert v[("flows", 0, "traffic", "peak")] == Location("w.yaml", 4, 35)
    assert v[("flows", 0, "steps", 1)] == Location("w.yaml", 5, 16)
    assert v[("flows", 0, "description")] == Location("w.yaml", 6, 18)
    assert doc.data["flows"][0]["description"] == "two\nlines\n"


def test_location_falls_back_to_the_nearest_parent():
    doc = yamlio.loads("a:\n  b: {c: 1}\n", "f")
    assert doc.location(("a", "b", "missing", 3)) == doc.values[("a", "b")]
    assert doc.location(("a", "b", "c"), key=True) == Location("f", 2, 7)
    assert doc.location(("nowhere",)) == Location("f", 1, 1)
    assert yamlio.loads("", "empty").location(("x",)) == Location("empty", 1, 1)


def test_positions_count_unicode_characters_not_bytes():
    doc = yamlio.loads("d: \"ünïcødé 注文\"\nx: 1\ny: [注, 文]\n", "u")
    assert doc.values[("y", 1)] == Location("u", 3, 8)


@pytest.mark.parametrize("text, key, first, at", [
    ("a: 1\nb: 2\na: 3\n", "a", 1, (3, 1)),
    ("m:\n  x: 1\n  x: 2\n", "m.x", 2, (3, 3)),
    ("m: {x: 1, y: 2, x: 3}\n", "m.x", 1, (1, 17)),
    ("l:\n  - {k: 1, k: 1}\n", "l[0].k", 2, (2, 12)),
])
def test_duplicate_keys_are_errors_not_last_one_wins(text, key, first, at):
    doc = yamlio.loads(text, "d")
    [problem] = doc.problems
    assert f"duplicate key '{key.split('.')[-1]}' (first at line {first})" in problem.message
    assert problem.field == key
    assert (problem.location.line, problem.location.column) == at
    assert "first at line" in str(problem)


def test_duplicate_key_keeps_the_first_value():
    assert yamlio.loads("a: 1\na: 2\n").data == {"a": 1}


@pytest.mark.parametrize("text, tag", [
    ("x: !!python/object/apply:os.system ['touch pwned']\n", "!!python/object/apply:os.system"),
    ("x: !!python/object/new:os.system ['touch pwned']\n", "!!python/object/new:os.system"),
    ("x: !!python/object:__main__.Thing {a: 1}\n", "!!python/object:__main__.Thing"),
    ("x: !!python/name:os.system ''\n", "!!python/name:os.system"),
    ("x: !!python/module:os ''\n", "!!python/module:os"),
    ("x: !!python/tuple [1, 2]\n", "!!python/tuple"),
    ("x: !!binary aGVsbG8=\n", "!!binary"),
    ("x: !!set {a, b}\n", "!!set"),
    ("x: !!omap [{a: 1}]\n", "!!omap"),
    ("x: !Ref Bucket\n", "!Ref"),
    ("x: !<tag:example.com,2024:thing> 1\n", "tag:example.com,2024:thing"),
])
def test_tags_are_rejected_and_nothing_is_constructed(text, tag, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    doc = yamlio.loads(text, "t")
    [problem] = doc.problems
    assert problem.message == f"the tag {tag} is not allowed"
    assert problem.field == "x" and problem.location == Location("t", 1, 4)

    def plain(value) -> bool:
        if isinstance(value, dict):
            return all(isinstance(k, str) and plain(v) for k, v in value.items())
        if isinstance(value, list):
            return all(plain(v) for v in value)
        return value is None or type(value) in (str, int, float, bool)

    assert plain(doc.data)
    assert list(tmp_path.iterdir()) == []  # os.system('touch pwned') never ran


def test_workload_with_python_tag_never_runs_it(tmp_path, monkeypatch):
    from advisor.errors import WorkloadError
    from advisor.workload import load_text

    monkeypatch.chdir(tmp_path)
    text = ("version: 1\nname: x\nflows:\n  - name: a\n    trigger: api\n    duration: 1s\n"
            "    description: !!python/object/apply:os.system ['touch pwned']\n")
    with pytest.raises(WorkloadError) as info:
        load_text(text, "w")
    assert "the tag !!python/object/apply:os.system is not allowed" in str(info.value)
    assert not (tmp_path / "pwned").exists()


def test_plain_scalars():
    data = yamlio.loads("i: 42\nh: 0x1F\nu: 1_000\nf: 2.5\nb: true\ny: yes\nn: ~\ne:\n"
                        "s: '42'\nd: 2024-01-31\nt: 2024-01-31 10:00:00\nst: !!str 5\n").data
    assert data == {"i": 42, "h": 31, "u": 1000, "f": 2.5, "b": True, "y": True, "n": None,
                    "e": None, "s": "42", "d": "2024-01-31", "t": "2024-01-31 10:00:00", "st": "5"}
    assert type(data["d"]) is str  # timestamps stay text, never datetime objects


@pytest.mark.parametrize("text,said", [
    ("x: .inf", "'.inf' is not a finite number"), ("x: .nan", "'.nan' is not a finite number"),
    ("x: !!int abc", "'abc' is not a valid !!int"), ("x: !!int ''", "'' is not a valid !!int"),
    ("x: !!float ''", "'' is not a valid !!float"), ("x: !!bool maybe", "'maybe' is not a valid !!bool"),
    ("x: " + "9" * 5000, "a number of 5,000 characters is too long"),
])
def test_values_that_fit_no_number_are_problems_at_their_position(text, said):
    """Explicit tags are resolved by the loader, never by a constructor that raises; the text is kept."""
    doc = yamlio.loads(text + "\n", "w.yaml")
    [problem] = doc.problems
    assert str(problem).startswith(f"w.yaml:1:4: x: {said}")
    assert isinstance(doc.data["x"], str) and doc.bad_values == {("x",)}


def test_merge_keys_and_aliases():
    data = yamlio.loads(
        "base: &b {x: 1, y: 2}\n"
        "more: &m {y: 20, z: 30}\n"
        "one: {<<: *b, y: 3}\n"
        "two: {<<: [*b, *m], w: 0}\n"
        "list: &l [1, 2]\n"
        "again: *l\n").data
    assert data["one"] == {"x": 1, "y": 3}
    assert data["two"] == {"w": 0, "x": 1, "y": 2, "z": 30}  # the first merged mapping wins
    assert data["again"] == [1, 2]


def test_merge_of_a_scalar_is_reported():
    doc = yamlio.loads("a: {<<: 5, b: 1}\n", "m")
    [problem] = doc.problems
    assert "merge key '<<' must name a mapping" in problem.message
    assert problem.location == Location("m", 1, 9)


def test_non_scalar_key_is_reported():
    doc = yamlio.loads("? [a, b]\n: 1\nc: 2\n", "k")
    [problem] = doc.problems
    assert problem.message == "a mapping key must be a plain name"
    assert doc.data == {"c": 2}


def test_non_string_keys_become_text():
    assert yamlio.loads("1: a\ntrue: b\n").data == {"1": "a", "True": "b"}


@pytest.mark.parametrize("text, fragment, line, column", [
    ("a: [1, 2\n", "YAML syntax error", 2, 1),
    ("a: b: c\n", "mapping values are not allowed", 1, 5),
    ("a:\n\tb: 1\n", "tab character", 2, 1),
    ("a: 1\n---\nb: 2\n", "more than one YAML document", 2, 1),
    ("a: 'x\n", "YAML syntax error", 2, 1),
    ("a: *nowhere\n", "YAML syntax error", 1, 4),
])
def test_syntax_errors_have_positions(text, fragment, line, column):
    with pytest.raises(UserError) as info:
        yamlio.loads(text, "s.yaml")
    [problem] = info.value.problems
    assert fragment in problem.message
    assert problem.location == Location("s.yaml", line, column)


def test_empty_documents():
    for text in ("", "# just a comment\n", "---\n...\n", "\n\n"):
        assert yamlio.loads(text).data is None


def test_deep_nesting_is_refused():
    text = "a: " + "[" * 100 + "]" * 100 + "\n"
    with pytest.raises(UserError) as info:
        yamlio.loads(text, "deep")
    assert f"nested more than {yamlio.MAX_DEPTH} levels" in str(info.value)
    assert yamlio.loads("a: " + "[" * 60 + "]" * 60).data is not None


def test_recursive_alias_is_refused():
    with pytest.raises(UserError):
        yamlio.loads("a: &x [*x]\n")


def test_alias_bomb_is_refused_before_building():
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    with pytest.raises(UserError) as info:
        yamlio.loads("\n".join(lines), "bomb")
    assert "alias bomb" in str(info.value)


def test_node_limits(monkeypatch):
    monkeypatch.setattr(yamlio, "MAX_NODES", 50)
    assert len(yamlio.loads("[" + ", ".join(["1"] * 40) + "]").data) == 40
    with pytest.raises(UserError) as info:
        yamlio.loads("[" + ", ".join(["1"] * 60) + "]", "flat")
    assert "more than 50 values" in str(info.value)
    with pytest.raises(UserError) as info:  # few nodes in the text, many once aliases are expanded
        yamlio.loads("a: &a [1, 2, 3, 4, 5, 6, 7, 8]\nb: [*a, *a, *a, *a, *a, *a, *a, *a]\n", "aliases")
    assert "expands to more than 50 values" in str(info.value)


def test_garbage_collector_is_restored():
    assert gc.isenabled()
    yamlio.loads("a: 1\n")
    assert gc.isenabled()
    with pytest.raises(UserError):
        yamlio.loads("a: [\n")
    assert gc.isenabled()
    gc.disable()
    try:
        yamlio.loads("a: 1\n")
        assert not gc.isenabled()
    finally:
        gc.enable()


# --- reading files ----------------------------------------------------------------------------------------------

def test_read_text(tmp_path):
    path = tmp_path / "w.yaml"
    path.write_bytes("\ufeffname: café\n".encode("utf-8"))
    name, text = yamlio.read_text(path)
    assert name == str(path) and text == "name: café\n"  # the byte-order mark is dropped


@pytest.mark.parametrize("raw, line, column, byte", [
    (b"\xff", 1, 1, "0xff"), (b"a: 1\nb: caf\xe9\n", 2, 7, "0xe9"), (b"a: 1\n\n  \x80", 3, 3, "0x80"),
    (b"ok: \xc3", 1, 5, "0xc3"),
])
def test_bad_utf8_position(raw, line, column, byte):
    with pytest.raises(UserError) as info:
        yamlio.decode(raw, "b")
    [problem] = info.value.problems
    assert problem.location == Location("b", line, column)
    assert problem.message == f"byte {byte} is not valid UTF-8"


def test_read_errors(tmp_path, monkeypatch):
    with pytest.raises(UserError, match="no such file"):
        yamlio.read_text(tmp_path / "missing.yaml")
    with pytest.raises(UserError, match="is a directory"):
        yamlio.read_text(tmp_path)
    big = tmp_path / "big.yaml"
    big.write_text("a: 1\n" * 10)
    monkeypatch.setattr(yamlio, "MAX_BYTES", 20)
    with pytest.raises(UserError, match="more than the 0 MB|MB advisor reads"):
        yamlio.read_text(big)


def test_permission_denied_in_process(tmp_path, monkeypatch):
    path = tmp_path / "w.yaml"
    path.write_text("a: 1\n")

    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(UserError) as info:
        yamlio.read_text(path, what="workload file")
    [problem] = info.value.problems
    assert problem.message == "permission denied reading the workload file"
    assert problem.location == Location(str(path), 1, 1) and "chmod" in problem.hint


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read any file")
def test_permission_denied_for_real(tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text("a: 1\n")
    path.chmod(0)
    try:
        with pytest.raises(UserError, match="permission denied"):
            yamlio.read_text(path)
    finally:
        path.chmod(0o600)


# --- YAML out -----------------------------------------------------------------------------------------------------

def test_dumps_is_deterministic_and_round_trips():
    data = {"b": 1, "a": [1, {"x": "two\nlines"}], "shared": None, "u": "注文 ✓"}
    data["again"] = data["a"]
    text = yamlio.dumps(data)
    assert text == yamlio.dumps(data)
    assert "&" not in text and "*" not in text  # no anchors or aliases in output
    assert text.index("b:") < text.index("a:")  # keys in the order given
    assert "注文 ✓" in text and "|" in text
    assert yamlio.loads(text).data == data


def test_separator_count_bounds_the_number_of_nodes():
    """yamlio picks the plain loader when the separators bound the nodes below MAX_NODES: the bound must
    hold for every shape a workload file takes (block and flow collections, multi-line text, anchors)."""
    import yaml as pyyaml

    from advisor import yamlio

    def count(node, seen) -> int:
        if id(node) in seen:
            return 0
        seen.add(id(node))
        if isinstance(node, pyyaml.ScalarNode):
            return 1
        children = node.value if isinstance(node, pyyaml.SequenceNode) else [n for kv in node.value for n in kv]
        return 1 + sum(count(c, seen) for c in children)

    fixtures = Path(__file__).parent / "fixtures" / "workloads" / "good"
    texts = [p.read_text(encoding="utf-8-sig") for p in sorted(fixtures.glob("*.yaml"))]
    texts += ["a", "[[[]]]", "{a: {b: [c, {d: e}]}}", "- - - a\n- b\n", "? [a, b]\n: c\n", "a: |\n  x\n  y\nb: c\n",
              "x: &a {k: v}\ny: *a\n", "a:\nb:\n", "'q': \"r\"\n"]
    for text in texts:
        nodes = count(pyyaml.compose(text, Loader=pyyaml.SafeLoader), set())
        assert nodes <= 1 + sum(text.count(c) for c in yamlio._SEPARATORS), text[:80]
