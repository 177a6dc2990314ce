"""Each function in infra/template.yaml has a handler that imports, and a policy naming exactly the
AWS actions its code calls: no more (least privilege), no fewer (it would fail in production).

The actions are derived by a static scan, not listed by hand:
1. `enforcewatch/store/dynamo.py`: which boto3 client operations each `DynamoTable` method calls
   (`self.client.put_item(...)` → `dynamodb:PutItem`; a transaction's `Put` → `dynamodb:PutItem`,
   since IAM authorises each operation inside `TransactWriteItems` by its own action).
2. The code a function reaches: the modules `functions/<name>/app.py` imports, followed through
   `enforcewatch`; in them, module-level code, functions registered by a decorator call (routes,
   middleware), and, transitively, every function or method whose name reached code refers to
   (by name, across modules: an over-approximation that never misses a call made by name).
3. In that code, the `DynamoTable` methods called on a table (`table.put_new(...)`,
   `self.table.query(..., index=...)`) and direct SNS/S3 calls (`publish(TopicArn=...)`,
   `put_object(Bucket=...)`).
KMS actions follow from the table's customer-managed key: reading needs Decrypt/DescribeKey, writing
also Encrypt/GenerateDataKey; publishing to the encrypted topic needs GenerateDataKey/Decrypt.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from test_infra_table import load_template, resources_of_type

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
ADAPTER = SRC / "enforcewatch" / "store" / "dynamo.py"
TABLE_RECEIVER = re.compile(r"(^|_)(table|store)$", re.IGNORECASE)
WRITES = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}
TRANSACT_OPS = {"Put": "dynamodb:PutItem", "Update": "dynamodb:UpdateItem", "Delete": "dynamodb:DeleteItem",
                "ConditionCheck": "dynamodb:ConditionCheckItem"}
# boto3 calls made outside the adapter: (method, keyword that identifies the service) → IAM action.
DIRECT_CALLS = {
    ("publish", "TopicArn"): "sns:Publish",
    ("put_object", "Bucket"): "s3:PutObject",
    ("get_object", "Bucket"): "s3:GetObject",
    ("delete_object", "Bucket"): "s3:DeleteObject",
    ("generate_presigned_url", "Params"): "s3:GetObject",  # a download link signed with the role's rights
}


def _camel(snake: str) -> str:
    return "".join(part.title() for part in snake.split("_"))


def adapter_actions(path: Path = ADAPTER) -> dict[str, set[str]]:
    """DynamoTable method → IAM actions of the client operations it (transitively) makes."""
    cls = next(n for n in ast.parse(path.read_text()).body if isinstance(n, ast.ClassDef) and n.name == "DynamoTable")
    direct: dict[str, set[str]] = {}
    calls: dict[str, set[str]] = {}
    for method in (n for n in cls.body if isinstance(n, ast.FunctionDef)):
        direct[method.name], calls[method.name] = set(), set()
        for node in ast.walk(method):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            owner = node.func.value
            if isinstance(owner, ast.Attribute) and owner.attr == "client":
                op = node.func.attr
                if op == "transact_write_items":
                    keys = {k.value for d in ast.walk(method) if isinstance(d, ast.Dict)
                            for k in d.keys if isinstance(k, ast.Constant)}
                    direct[method.name] |= {a for k, a in TRANSACT_OPS.items() if k in keys}
                elif op == "get_waiter":
                    direct[method.name].add("dynamodb:DescribeTable")
                else:
                    direct[method.name].add(f"dynamodb:{_camel(op)}")
            elif isinstance(owner, ast.Name) and owner.id == "self":
                calls[method.name].add(node.func.attr)
    resolved: dict[str, set[str]] = {}

    def resolve(name: str, seen: frozenset[str] = frozenset()) -> set[str]:
        out = set(direct.get(name, set()))
        for callee in calls.get(name, set()) - seen:
            out |= resolve(callee, seen | {name})
        return out

    for name in direct:
        resolved[name] = resolve(name)
    return {name: acts for name, acts in resolved.items() if not name.startswith("_") and acts}


def _module_file(dotted: str) -> Path | None:
    base = SRC.joinpath(*dotted.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imports(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def reachable_modules(entry: Path) -> dict[str, Path]:
    """Every enforcewatch module `entry` imports, directly or not (including lazy imports)."""
    found: dict[str, Path] = {"<entry>": entry}
    todo = [entry]
    while todo:
        for dotted in _imports(ast.parse(todo.pop().read_text(encoding="utf-8"))):
            if not dotted.startswith("enforcewatch"):
                continue
            parts = dotted.split(".")
            for i in range(1, len(parts) + 1):  # importing a.b.c runs a/__init__ and a/b/__init__ too
                name = ".".join(parts[:i])
                path = _module_file(name)
                if path and name not in found:
                    found[name] = path
                    todo.append(path)
    return found


def _receiver(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


@dataclass
class Needs:
    actions: set[str] = field(default_factory=set)
    index_query: bool = False
    sites: dict[str, list[str]] = field(default_factory=dict)  # action → where (for failure messages)


Def = ast.FunctionDef | ast.AsyncFunctionDef


def _top_level(tree: ast.Module) -> Iterator[ast.AST]:
    """Module-level code that runs on import: everything but function bodies (decorators included)."""
    for stmt in tree.body:
        if isinstance(stmt, Def):
            yield from (d for d in stmt.decorator_list if not isinstance(d, ast.Call))  # @router.x: see below
            yield from (d for d in stmt.args.defaults)
        elif isinstance(stmt, ast.ClassDef):
            yield from stmt.decorator_list
            yield from stmt.bases
            yield from (s for s in stmt.body if not isinstance(s, Def))
        else:
            yield stmt


def _decorator_base(node: ast.expr) -> str | None:
    """`router` for `@router.post("/x")`: the object a function registers itself with."""
    while isinstance(node, ast.Call | ast.Attribute):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _imported_names(tree: ast.Module) -> dict[str, Path]:
    """Local name → file of the enforcewatch module it was imported from (`from m import router`)."""
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("enforcewatch"):
            source = _module_file(node.module)
            for alias in node.names:
                if source:
                    out[alias.asname or alias.name] = source
    return out


def reached_code(entry: Path) -> list[tuple[Path, ast.AST]]:
    """(file, node) for all code the entry point can run, found by name from its module-level code.

    A function registered by a decorator call (`@router.post(...)`) counts once reached code uses the
    object it registers with (`include_router(router)` in its module, or where that name is imported):
    importing a package runs its routers' decorators, but only an app that mounts them serves them.
    """
    defs: dict[str, list[tuple[Path, ast.AST]]] = {}
    roots: list[tuple[Path, ast.AST]] = []
    registered: dict[tuple[Path, str], list[tuple[Path, ast.AST]]] = {}
    imported: dict[Path, dict[str, Path]] = {}
    for path in reachable_modules(entry).values():
        if path == ADAPTER:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported[path] = _imported_names(tree)
        roots += [(path, node) for node in _top_level(tree)]
        if path == entry:  # the handler itself, whatever its name: Lambda calls into the entry module
            roots += [(path, node) for node in tree.body if isinstance(node, Def)]
        for node in ast.walk(tree):
            if isinstance(node, Def):
                defs.setdefault(node.name, []).append((path, node))
                for base in {_decorator_base(d) for d in node.decorator_list if isinstance(d, ast.Call)} - {None}:
                    registered.setdefault((path, base), []).append((path, node))
            elif isinstance(node, ast.ClassDef):  # using a class runs its dunder methods
                defs.setdefault(node.name, []).extend(
                    (path, m) for m in node.body if isinstance(m, Def) and m.name.startswith("__")
                )
    reached, todo, seen = [], list(roots), set()
    while todo:
        path, node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        reached.append((path, node))
        in_decorators = {id(inner) for d in getattr(node, "decorator_list", []) for inner in ast.walk(d)}
        for sub in ast.walk(node):
            todo += _uses(sub, path, in_decorators, defs, registered, imported)
    return reached


def _uses(
    sub: ast.AST,
    path: Path,
    in_decorators: set[int],
    defs: dict[str, list[tuple[Path, ast.AST]]],
    registered: dict[tuple[Path, str], list[tuple[Path, ast.AST]]],
    imported: dict[Path, dict[str, Path]],
) -> list[tuple[Path, ast.AST]]:
    """The code one name in reached code brings in: functions of that name, routes it mounts."""
    found: list[tuple[Path, ast.AST]] = []
    # Reading a router (not defining it, not decorating with it) mounts the routes registered on it.
    if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load) and id(sub) not in in_decorators:
        found += registered.get((path, sub.id), [])
        source = imported.get(path, {}).get(sub.id)
        if source:
            found += registered.get((source, sub.id), [])
    name = sub.id if isinstance(sub, ast.Name) else sub.attr if isinstance(sub, ast.Attribute) else None
    return found + defs.get(name, []) if name else found


def needed(entry: Path) -> Needs:
    methods = adapter_actions()
    needs = Needs()
    counted: set[int] = set()
    for path, code in reached_code(entry):
        for node in ast.walk(code):
            if id(node) in counted or not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            counted.add(id(node))
            method, keywords = node.func.attr, {k.arg for k in node.keywords}
            where = f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}:{node.lineno}"
            acts: set[str] = set()
            receiver = _receiver(node.func.value)
            if method in methods and receiver and TABLE_RECEIVER.search(receiver):
                acts = methods[method]
                if method == "query" and "index" in keywords:
                    needs.index_query = True
            acts |= {a for (m, kw), a in DIRECT_CALLS.items() if m == method and kw in keywords}
            for action in acts:
                needs.actions.add(action)
                needs.sites.setdefault(action, []).append(where)
    if needs.actions & {a for a in needs.actions if a.startswith("dynamodb:")}:
        needs.actions |= {"kms:Decrypt", "kms:DescribeKey"}
    if needs.actions & WRITES or "sns:Publish" in needs.actions:
        needs.actions |= {"kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt"}
    return needs


# -- the template's side -------------------------------------------------------------------------------
FUNCTIONS = resources_of_type(load_template(), "AWS::Serverless::Function")


def function_dir(props: dict[str, Any]) -> Path:
    return ROOT / "functions" / Path(props["CodeUri"]).name.removesuffix(".zip")


def policy_statements(props: dict[str, Any]) -> list[dict[str, Any]]:
    statements = []
    for policy in props.get("Policies", []):
        assert isinstance(policy, dict) and "Statement" in policy, (
            f"inline policy documents only (a SAM policy template or managed policy hides its actions): {policy}"
        )
        statements += policy["Statement"]
    return statements


def granted(props: dict[str, Any]) -> set[str]:
    out: set[str] = set()
    for statement in policy_statements(props):
        assert statement["Effect"] == "Allow"
        actions = statement["Action"]
        out |= set([actions] if isinstance(actions, str) else actions)
    return out


def _entry(name: str) -> Path:
    entry = function_dir(FUNCTIONS[name]["Properties"]) / "app.py"
    if not entry.is_file():
        pytest.skip(f"{entry.relative_to(ROOT)} does not exist yet")
    return entry


# -- tests ------------------------------------------------------------------------------------------------
def test_adapter_scan_finds_the_client_operations() -> None:
    actions = adapter_actions()
    assert actions["get"] == {"dynamodb:GetItem"}
    assert actions["put_new"] == {"dynamodb:PutItem"}  # through self._put
    assert actions["transact_put_new"] == {"dynamodb:PutItem"}
    assert actions["query"] == {"dynamodb:Query"}
    assert actions["batch_put"] == {"dynamodb:BatchWriteItem"}
    assert actions["ensure_exists"] == {"dynamodb:DescribeTable", "dynamodb:CreateTable"}


def test_call_scan_sees_table_calls_and_ignores_dict_methods(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        "import json\n"
        "def handler(event, context, table=None, sns=None):\n"
        "    event.get('x'); {}.update(a=1)\n"
        "    table.put_new({'pk': 'a'}); list(table.query('p', index='gsi1'))\n"
        "    sns.publish(TopicArn='t', Message='m')\n"
    )
    needs = needed(tmp_path / "app.py")
    assert needs.actions == {"dynamodb:PutItem", "dynamodb:Query", "sns:Publish",
                             "kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"}
    assert needs.index_query


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_handler_imports_and_is_callable(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    entry = _entry(name)
    props = FUNCTIONS[name]["Properties"]
    module_name, attr = (props.get("Handler") or load_template()["Globals"]["Function"]["Handler"]).split(".")
    assert entry.name == f"{module_name}.py"
    env = {**load_template()["Globals"]["Function"]["Environment"]["Variables"],
           **props.get("Environment", {}).get("Variables", {})}
    stand_ins = {"EW_TOKEN_SECRET": "x" * 40, "EW_CONTENT_DIR": str(ROOT / "site" / "content"),
                 "EW_SITE_ORIGIN": "https://zfjd.example.gov.cn", "EW_TABLE_NAME": "enforcewatch",
                 "EW_IDEMPOTENCY_TTL_HOURS": "24", "EW_SUBMISSION_RETENTION_DAYS": "0",
                 "EW_SUMMARY_TOPIC_ARN": "arn:aws-cn:sns:cn-north-1:123456789012:summaries"}
    for var in env:
        monkeypatch.setenv(var, stand_ins[var])
    monkeypatch.chdir(ROOT)
    spec = importlib.util.spec_from_file_location(f"lambda_{entry.parent.name}", entry)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # what a cold start does: build settings, client and app
    assert callable(getattr(module, attr)), f"{entry.relative_to(ROOT)}: no callable {attr}"
    assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"  # conftest's tripwire: nothing real was reachable


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_policy_names_exactly_the_actions_the_code_calls(name: str) -> None:
    needs = needed(_entry(name))
    has = granted(FUNCTIONS[name]["Properties"])
    extra, missing = has - needs.actions, needs.actions - has
    assert not extra, f"{name}: granted but never called: {sorted(extra)}"
    assert not missing, f"{name}: called but not granted: " + "; ".join(
        f"{a} ({', '.join(needs.sites.get(a, ['implied by the table key']))})" for a in sorted(missing)
    )


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_policy_resources_are_this_stacks_own(name: str) -> None:
    needs = needed(_entry(name))
    statements = policy_statements(FUNCTIONS[name]["Properties"])
    resources = [r for s in statements for r in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])]
    assert "*" not in resources
    index_grants = [r for r in resources if "/index/" in str(r)]
    assert bool(index_grants) == needs.index_query, f"{name}: index access granted={index_grants}"


def test_submit_cannot_list_submissions_or_reach_staff_records() -> None:
    props = FUNCTIONS["SubmitFunction"]["Properties"]
    actions = granted(props)
    assert not actions & {"dynamodb:Scan", "dynamodb:BatchGetItem", "dynamodb:PartiQLSelect", "dynamodb:UpdateItem"}
    scoped: dict[str, set[str]] = {}
    for statement in policy_statements(props):
        if any(str(a).startswith("dynamodb:") for a in statement["Action"]):
            keys = statement["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
            assert not any(k.startswith(("USER#", "AUDIT#")) or k == "*" for k in keys)
            for action in statement["Action"]:
                scoped.setdefault(action, set()).update(keys)
    assert scoped["dynamodb:DeleteItem"] == {"IDEM#*"}  # only expired idempotency records
    assert scoped["dynamodb:Query"] == {"POINT#*"}  # only one point's own filings


def test_code_uris_are_the_packaged_zips() -> None:
    """CodeUri (relative to infra/) names the zip scripts/package-lambdas builds for that function."""
    import importlib.util as iu

    spec = iu.spec_from_file_location("package_lambdas_for_uris", ROOT / "scripts" / "package_lambdas.py")
    assert spec and spec.loader
    packager = iu.module_from_spec(spec)
    spec.loader.exec_module(packager)
    out_dir = packager.DEFAULT_OUT
    for name, res in FUNCTIONS.items():
        uri = (ROOT / "infra" / res["Properties"]["CodeUri"]).resolve()
        assert uri.parent == out_dir, name
        assert (ROOT / "functions" / uri.stem / "app.py").is_file(), f"{name}: no functions/{uri.stem}/app.py"
