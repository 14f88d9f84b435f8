"""The connector's PHP-array encoder and the emulator's PHP-array parser agree with PHP."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode

from connectors.moodle.phpargs import encode
from sandbox.moodle.phpargs import parse_pairs


def round_trip(params: Mapping[str, object]) -> dict[str | int, object]:
    return parse_pairs(parse_qsl(urlencode(encode(params)), keep_blank_values=True))


def test_nested_lists_and_mappings_round_trip() -> None:
    params = {
        "users": [
            {"username": "a&b=c", "customfields": [{"type": "x", "value": "1 + 1"}]},
            {"username": "ü", "suspended": True, "empty": ""},
        ],
        "field": "id",
        "values": [3, 4],
    }
    assert round_trip(params) == {
        "users": {
            0: {"username": "a&b=c", "customfields": {0: {"type": "x", "value": "1 + 1"}}},
            1: {"username": "ü", "suspended": "1", "empty": ""},
        },
        "field": "id",
        "values": {0: "3", 1: "4"},
    }


def test_none_is_left_out_and_false_is_zero() -> None:
    assert encode({"a": None, "b": False, "c": {"d": None}}) == [("b", "0")]


def test_php_quirks() -> None:
    pairs = [
        ("values[]", "a"),
        ("values[]", "b"),
        ("values[7]", "c"),
        ("values[]", "d"),  # appends after the highest integer key, like PHP
        ("a.b", "1"),  # PHP turns dots in top-level names into underscores
        ("k[07]", "x"),  # "07" is not a canonical integer: stays a string key
        ("s", "scalar"),
        ("s[0]", "array wins"),  # a later array replaces an earlier scalar
    ]
    assert parse_pairs(pairs) == {
        "values": {0: "a", 1: "b", 7: "c", 8: "d"},
        "a_b": "1",
        "k": {"07": "x"},
        "s": {0: "array wins"},
    }
