"""`trainstack init`: the six-step questions from the profile model, a profile checked before
it is written, and in a new folder a project cdktf recognises."""

from __future__ import annotations

import io
import json
import sys
from typing import get_args

from trainstack.cli.main import run


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_options_write_a_project_whose_profile_selects(tmp_path, capsys):
    project = tmp_path / "proj"
    assert run(["init", str(project), "--name", "churn2", "--task", "regression",
                "--size-gb", "30", "--yes"]) == 0
    files = sorted(str(p.relative_to(project)) for p in project.rglob("*") if p.is_file())
    assert files == [".gitignore", "cdktf.json", "profile.schema.json", "profiles/churn2.yaml",
                     "stacks/app.py", "stacks/app.sh"]
    text = (project / "profiles" / "churn2.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=../profile.schema.json\n")
    assert json.loads((project / "cdktf.json").read_text())["app"] == "sh stacks/app.sh"
    capsys.readouterr()
    assert run(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == \
        json.loads((project / "profile.schema.json").read_text())
    assert run(["select", str(project / "profiles" / "churn2.yaml")]) == 0
    selection = json.loads(capsys.readouterr().out)
    assert selection["profile"] == "churn2" and selection["service"] == "azure-ml"


def test_in_an_existing_folder_only_the_profile_is_added(tmp_path, capsys):
    (tmp_path / "README.md").write_text("mine\n")
    assert run(["init", str(tmp_path), "--name", "abc", "--yes"]) == 0
    assert not (tmp_path / "cdktf.json").exists() and (tmp_path / "profiles" / "abc.yaml").exists()
    assert run(["init", str(tmp_path), "--name", "abc", "--yes"]) == 2
    assert "already exists" in capsys.readouterr().err


def test_a_bad_answer_is_bad_input_and_nothing_is_written(tmp_path, capsys):
    project = tmp_path / "proj"
    assert run(["init", str(project), "--task", "flying", "--yes"]) == 2
    err = capsys.readouterr().err
    assert "problem.task: must be one of: classification" in err and "(got 'flying')" in err
    assert not project.exists()


def test_questions_are_asked_in_the_six_steps_with_the_models_choices(tmp_path, capsys,
                                                                       monkeypatch):
    from trainstack import init
    from trainstack.profile.models import Problem

    assert init.choices("problem.task") == get_args(Problem.model_fields["task"].annotation)
    steps = [q.step[:2] for q in init.QUESTIONS]
    assert steps == sorted(steps) and {s[0] for s in steps} == set("123456")
    answers = {"name": "vision", "problem.task": "image-classification",
               "data.modality": "image", "training.framework": "pytorch"}
    lines = "".join(answers.get(q.field, "") + "\n" for q in init.QUESTIONS)
    monkeypatch.setattr(sys, "stdin", Terminal(lines))
    assert run(["init", str(tmp_path / "p")]) == 0
    err = capsys.readouterr().err
    assert "1. define the problem" in err and "6. monitor" in err
    assert "task (classification|regression" in err
    text = (tmp_path / "p" / "profiles" / "vision.yaml").read_text()
    assert 'framework: "pytorch"' in text and 'modality: "image"' in text


def test_answers_stay_text(tmp_path, capsys):
    assert run(["init", str(tmp_path / "p"), "--name", "xyz", "--predicts",
                'churn" ${file("/etc/passwd")}\nname: evil', "--yes"]) == 0
    from trainstack.profile import load_profile_document

    doc = load_profile_document(tmp_path / "p" / "profiles" / "xyz.yaml")
    assert doc.profile.name == "xyz"
    assert doc.profile.problem.predicts.startswith('churn" ${file(')


def test_a_name_cannot_write_outside_the_project(tmp_path, capsys):
    assert run(["init", str(tmp_path / "p"), "--name", "../../evil", "--yes"]) == 2
    assert "name:" in capsys.readouterr().err
    assert not (tmp_path / "evil.yaml").exists() and not (tmp_path / "p").exists()
