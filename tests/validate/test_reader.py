"""Reading stacks as terraform reads them, exact at the edges: JSON duplicates and depth
(validate/reader.py) and which folders under stacks/ are stacks (validate/engine.py).
Inline JSON, no Node."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trainstack.errors import TrainstackError
from trainstack.limits import JSON_MAX_DEPTH
from trainstack.validate import load_stacks
from trainstack.validate.reader import StackError, parse_json


def test_repeated_comments_are_skipped_and_reading_goes_on():
    assert parse_json('{"//": 1, "//": {"x": 2}, "b": 3, "c": {"//": 4, "//": 5, "d": 6}}',
                      "f") == {"//": 1, "b": 3, "c": {"//": 4, "d": 6}}


@pytest.mark.parametrize("text,value", [
    ('{"r": {"a": 1}, "r": {"b": 2}}', [{"a": 1}, {"b": 2}]),
    ('{"r": [{"a": 1}], "r": {"b": 2}}', [{"a": 1}, {"b": 2}]),
    ('{"r": {"a": 1}, "r": [{"b": 2}, {"c": 3}]}', [{"a": 1}, {"b": 2}, {"c": 3}]),
    ('{"r": [1], "r": [2], "r": {"c": 3}}', [1, 2, {"c": 3}]),
])
def test_a_block_given_twice_is_read_as_both(text, value):
    assert parse_json(text, "f") == {"r": value}


@pytest.mark.parametrize("text", ['{"x": 1, "x": 2}', '{"x": {"a": 1}, "x": 2}',
                                  '{"x": 1, "x": [2]}', '{"x": "a", "x": "a"}'])
def test_a_plain_value_given_twice_is_refused(text):
    with pytest.raises(StackError) as caught:
        parse_json(text, "s/cdk.tf.json")
    assert str(caught.value) == ("s/cdk.tf.json: the key 'x' is given twice in one object "
                                 "(terraform reports a duplicate argument)")


def nested(levels: int) -> str:
    """A document whose deepest container is ``levels`` below the top object."""
    return '{"a": ' + '{"b": ' * (levels - 1) + "{}" + "}" * (levels - 1) + "}"


def test_nesting_up_to_the_limit_is_read_and_one_more_is_refused_naming_where():
    assert parse_json(nested(JSON_MAX_DEPTH), "f") is not None
    with pytest.raises(StackError) as caught:
        parse_json(nested(JSON_MAX_DEPTH + 1), "f")
    where = ".a" + ".b" * JSON_MAX_DEPTH
    assert str(caught.value) == f"f: {where}: nests deeper than {JSON_MAX_DEPTH} levels"


def test_depth_counts_array_items_and_names_their_index():
    text = '{"a": [' + "[" * (JSON_MAX_DEPTH - 1) + "]" * (JSON_MAX_DEPTH - 1) + ', 1]}'
    assert parse_json(text, "f") is not None
    text = '{"a": [1, ' + "[" * JSON_MAX_DEPTH + "]" * JSON_MAX_DEPTH + "]}"
    with pytest.raises(StackError) as caught:
        parse_json(text, "f")
    assert str(caught.value) == (f"f: .a[1]{'[0]' * (JSON_MAX_DEPTH - 1)}: nests deeper than "
                                 f"{JSON_MAX_DEPTH} levels")


# -- which folders are stacks -----------------------------------------------------------------

def stack_at(folder: Path) -> None:
    folder.mkdir(parents=True)
    (folder / "cdk.tf.json").write_text(json.dumps({"resource": {}}))


def test_files_and_folders_without_a_stack_are_passed_over_not_the_end(tmp_path):
    """Sorted first: a file, then a folder synth kept the state of; the stacks after them
    are still read."""
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "a-file").write_text("x")
    (tmp_path / "stacks" / "b-kept-state").mkdir()
    (tmp_path / "stacks" / "b-kept-state" / "terraform.tfstate").write_text("{}")
    stack_at(tmp_path / "stacks" / "c")
    stack_at(tmp_path / "elsewhere" / "d")
    (tmp_path / "stacks" / "d").symlink_to(tmp_path / "elsewhere" / "d")
    assert [s.name for s in load_stacks(tmp_path)] == ["c", "d"]


def test_no_stack_at_all_says_where_none_was_found(tmp_path):
    (tmp_path / "stacks" / "kept").mkdir(parents=True)
    with pytest.raises(TrainstackError) as caught:
        load_stacks(tmp_path)
    assert str(caught.value) == f"{tmp_path}: no stacks/*/cdk.tf.json to validate"
    with pytest.raises(TrainstackError) as caught:
        load_stacks(tmp_path / "stacks" / "kept")  # no stacks folder inside
    assert str(caught.value) == f"{tmp_path / 'stacks' / 'kept'}: no stacks/*/cdk.tf.json to " \
                                "validate"


def test_a_missing_directory_says_how_to_make_one(tmp_path):
    with pytest.raises(TrainstackError) as caught:
        load_stacks(tmp_path / "nothing")
    assert str(caught.value) == (f"{tmp_path / 'nothing'}: no such directory (run `trainstack "
                                 "synth` first, or pass the synth output directory)")


def test_a_dangling_stack_link_is_named(tmp_path):
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "gone").symlink_to(tmp_path / "nowhere")
    with pytest.raises(TrainstackError) as caught:
        load_stacks(tmp_path)
    assert str(caught.value) == (f"{tmp_path / 'stacks' / 'gone'}: a symbolic link to nothing "
                                 "(dangling or looping); remove it or point it at a stack")
