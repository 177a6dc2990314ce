"""Every action the code writes to the audit log has a Chinese label; entries read in Chinese."""

from __future__ import annotations

import ast
from pathlib import Path

from enforcewatch.commands.staff import STAFF_ACTIONS
from enforcewatch.staff.auditlabels import ACTION_LABELS, OUTCOME_LABELS, action_label, entry_view

SRC = Path(__file__).resolve().parents[2] / "src" / "enforcewatch"
# (call, index of the action argument): ctx.log(actor, action, ...), audit.record(table, actor, action, ...),
# and the CLI helper _audit(table, actor, action, ...).
CALLS = {"log": 1, "record": 2, "_audit": 2, "_step": 1}


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Attribute):
        owner = func.value
        if func.attr == "log" and isinstance(owner, ast.Name) and owner.id == "ctx":
            return "log"
        if func.attr == "record" and isinstance(owner, ast.Name) and owner.id == "audit":
            return "record"
        return None
    return func.id if isinstance(func, ast.Name) and func.id in ("_audit", "_step") else None


def _literals(node: ast.expr, where: str) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _literals(node.body, where) + _literals(node.orelse, where)
    if ast.unparse(node) == "STAFF_ACTIONS[action]":
        return list(STAFF_ACTIONS.values())
    raise AssertionError(f"{where}: audit action {ast.unparse(node)} is not a plain string: label it and list it here")


def recorded_actions() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # The wrappers (StaffContext.log, the CLI's _audit) pass their own `action` parameter through.
        # So do the draws' steps (`draws.tasks.audited`, and the `_step` of their API and CLI), whose
        # action is the one string literal among a `_step` call's arguments.
        wrappers = {id(n) for f in ast.walk(tree)
                    if isinstance(f, ast.FunctionDef) and f.name in ("log", "_audit", "audited", "_step")
                    for n in ast.walk(f)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and (name := _name(node.func)) is not None and id(node) not in wrappers:
                args = node.args
                if name == "_step":
                    args = [a for a in args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                    args = [ast.Constant(None), *args]  # the action at index 1
                if len(args) <= CALLS[name]:
                    continue
                where = f"{path.relative_to(SRC)}:{node.lineno}"
                for action in _literals(args[CALLS[name]], where):
                    found[action] = where
    return found


def test_every_recorded_action_has_a_label() -> None:
    actions = recorded_actions()
    assert len(actions) >= 30  # the scan finds the API's, the CLI's and the casework helper's actions
    missing = {a: w for a, w in actions.items() if a not in ACTION_LABELS}
    assert not missing, f"audit actions without a Chinese label: {missing}"
    assert {"staff_add_user", "access_code_reissue", "revocation_decision", "download"} <= set(actions)


def test_the_scan_fails_on_an_unlabelled_or_computed_action(tmp_path, monkeypatch) -> None:
    fake = tmp_path / "enforcewatch"
    fake.mkdir()
    (fake / "m.py").write_text('def f(ctx):\n    ctx.log("u", "brand_new_action", {})\n', encoding="utf-8")
    monkeypatch.setattr(__import__(__name__), "SRC", fake)
    assert recorded_actions() == {"brand_new_action": "m.py:2"}
    (fake / "m.py").write_text('def f(ctx, a):\n    ctx.log("u", f"x_{a}", {})\n', encoding="utf-8")
    try:
        recorded_actions()
    except AssertionError as exc:
        assert "not a plain string" in str(exc)
    else:
        raise AssertionError("a computed action went unnoticed")


def test_entry_reads_in_chinese() -> None:
    entry = {"at": "2026-03-09T17:30:00.000000Z", "actor": "city", "action": "staff_add_user", "outcome": "ok",
             "details": {"username": "li", "district": "hongqi"}}
    view = entry_view(entry, {"hongqi": "红旗区"})
    assert (view["action_label"], view["outcome_label"], view["time"], view["district_name"]) == (
        "新增工作人员账户", "成功", "2026-03-10 01:30:00", "红旗区")
    assert action_label("something_old") == "something_old"
    assert set(OUTCOME_LABELS) == {"ok", "denied", "started", "incomplete"}
