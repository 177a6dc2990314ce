"""Which AWS actions each Lambda function's code can call, found by reading the code (not running it).

`tests/infra/test_infra_functions.py` compares the result with each function's policy in template.yaml;
run this file to see what a function needs, and where, after changing the code:

    .venv/bin/python infra/policy_scan.py functions/submit_report/app.py

How:
1. `enforcewatch/store/dynamo.py`: which boto3 client operations each `DynamoTable` method calls
   (`self.client.put_item(...)` → `dynamodb:PutItem`; a transaction's `Put` → `dynamodb:PutItem`,
   since IAM authorises each operation inside `TransactWriteItems` by its own action).
2. The code a function can run: module-level code of every `enforcewatch` module its `app.py`
   imports (directly or not), its handler, the routes of the routers that reached code mounts, and,
   transitively, what reached code refers to: `f` → the function f of this module or the one it was
   imported from; `mod.f` (a module) → that module's f (and the routes of `mod.router`); `obj.m` →
   methods named m of the classes whose name ends with the receiver's (`self.blobs.get` →
   `S3Blobs.get`; `table.put` → `DynamoTable.put` only), or of every class if no class is named so,
   except for the names of built-in container methods (`event.get`, `items.append`), which never
   reach our code through an unknown receiver.
3. In that code: `DynamoTable` methods called on a table (`table.put_new(...)`,
   `self.table.query(..., index=...)`) and SNS/S3 client calls (`publish(TopicArn=...)`,
   `put_object(Bucket=...)`, `upload_fileobj(...)`, pre-signed downloads).
KMS actions follow from the table's customer-managed key: reading needs Decrypt/DescribeKey, writing
also Encrypt/GenerateDataKey; publishing to the encrypted topic needs GenerateDataKey/Decrypt.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
ADAPTER = SRC / "enforcewatch" / "store" / "dynamo.py"
TABLE_RECEIVER = re.compile(r"(^|_)(table|store)$", re.IGNORECASE)
WRITES = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}
TRANSACT_OPS = {"Put": "dynamodb:PutItem", "Update": "dynamodb:UpdateItem", "Delete": "dynamodb:DeleteItem",
                "ConditionCheck": "dynamodb:ConditionCheckItem"}
# boto3 calls made outside the adapter: (method, keyword that marks the service, or None) → IAM action.
DIRECT_CALLS = {
    ("publish", "TopicArn"): "sns:Publish",
    ("put_object", "Bucket"): "s3:PutObject",
    ("get_object", "Bucket"): "s3:GetObject",
    ("delete_object", "Bucket"): "s3:DeleteObject",
    ("upload_fileobj", None): "s3:PutObject",  # multipart parts are authorised as PutObject too
    ("upload_file", None): "s3:PutObject",
    ("download_fileobj", None): "s3:GetObject",
    ("generate_presigned_url", "Params"): "s3:GetObject",  # a download link signed with the role's rights
}
BUILTIN_METHODS = {
    name for kind in (dict, list, set, str, bytes, tuple, frozenset) for name in dir(kind) if not name.startswith("_")
}
Def = ast.FunctionDef | ast.AsyncFunctionDef
Site = tuple[Path, ast.AST, str | None]  # file, code, enclosing class


def _camel(snake: str) -> str:
    return "".join(part.title() for part in snake.split("_"))


def adapter_actions(path: Path = ADAPTER) -> dict[str, set[str]]:
    """DynamoTable method → IAM actions of the client operations it (transitively) makes."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "DynamoTable")
    direct: dict[str, set[str]] = {}
    calls: dict[str, set[str]] = {}
    for method in (n for n in cls.body if isinstance(n, ast.FunctionDef)):
        direct[method.name], calls[method.name] = set(), set()
        for node in ast.walk(method):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            owner = node.func.value
            if isinstance(owner, ast.Attribute) and owner.attr == "client":
                direct[method.name] |= _client_operation(node.func.attr, method)
            elif isinstance(owner, ast.Name) and owner.id == "self":
                calls[method.name].add(node.func.attr)

    def resolve(name: str, seen: frozenset[str] = frozenset()) -> set[str]:
        out = set(direct.get(name, set()))
        for callee in calls.get(name, set()) - seen:
            out |= resolve(callee, seen | {name})
        return out

    return {name: acts for name in direct if not name.startswith("_") and (acts := resolve(name))}


def _client_operation(op: str, method: ast.FunctionDef) -> set[str]:
    if op == "transact_write_items":
        keys = {k.value for d in ast.walk(method) if isinstance(d, ast.Dict)
                for k in d.keys if isinstance(k, ast.Constant)}
        return {a for k, a in TRANSACT_OPS.items() if k in keys}
    if op == "get_waiter":
        return {"dynamodb:DescribeTable"}
    return {f"dynamodb:{_camel(op)}"}


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
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("enforcewatch."):
            yield node.value  # a module imported by name (importlib), e.g. the staff app's lazy route groups


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


def _top_level(tree: ast.Module) -> Iterator[ast.AST]:
    """Module-level code that runs on import: everything but function and method bodies."""
    for stmt in tree.body:
        if isinstance(stmt, Def):
            yield from (d for d in stmt.decorator_list if not isinstance(d, ast.Call))  # @router.x: see Index
            yield from stmt.args.defaults
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


def _receiver(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


@dataclass
class Index:
    """Where names lead, over the modules one entry point reaches."""

    by_module: dict[tuple[Path, str], list[Site]] = field(default_factory=dict)
    methods: dict[str, list[Site]] = field(default_factory=dict)  # methods by name
    classes: dict[str, list[str]] = field(default_factory=dict)  # lower-case class name → class names
    dunders: dict[str, list[Site]] = field(default_factory=dict)  # class name → its dunder methods
    registered: dict[tuple[Path, str], list[Site]] = field(default_factory=dict)  # (file, router) → routes
    module_names: dict[Path, dict[str, Path]] = field(default_factory=dict)  # file → alias → module file
    imported: dict[Path, dict[str, tuple[Path, str]]] = field(default_factory=dict)  # file → name → (module, name)

    def add_module(self, path: Path, tree: ast.Module) -> None:
        self.module_names[path], self.imported[path] = {}, {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                self._add_import(path, node)
        for stmt in tree.body:
            if isinstance(stmt, Def):
                self._add_function(path, stmt, None)
            elif isinstance(stmt, ast.ClassDef):
                self.classes.setdefault(stmt.name.lower(), []).append(stmt.name)
                for member in stmt.body:
                    if isinstance(member, Def):
                        self._add_function(path, member, stmt.name)

    def _add_import(self, path: Path, node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("enforcewatch") and (source := _module_file(alias.name)):
                    self.module_names[path][alias.asname or alias.name.split(".")[0]] = source
            return
        if not (node.module and node.module.startswith("enforcewatch") and node.level == 0):
            return
        for alias in node.names:
            local = alias.asname or alias.name
            if submodule := _module_file(f"{node.module}.{alias.name}"):
                self.module_names[path][local] = submodule  # from enforcewatch import reports
            elif source := _module_file(node.module):
                self.imported[path][local] = (source, alias.name)  # from enforcewatch.api.public.routes import router

    def _add_function(self, path: Path, node: Def, cls: str | None) -> None:
        site: Site = (path, node, cls)
        if cls is None:
            self.by_module.setdefault((path, node.name), []).append(site)
        else:
            self.methods.setdefault(node.name, []).append(site)
            if node.name.startswith("__"):
                self.dunders.setdefault(cls, []).append(site)
        for base in {_decorator_base(d) for d in node.decorator_list if isinstance(d, ast.Call)} - {None}:
            self.registered.setdefault((path, base), []).append(site)

    # -- resolution ---------------------------------------------------------------------------------
    def name(self, path: Path, node: ast.Name) -> list[Site]:
        """A bare name is this module's function, or one imported into it (followed through re-exports)."""
        out = list(self.dunders.get(node.id, []))
        where, name = path, node.id
        for _hop in range(10):
            out += self.by_module.get((where, name), [])
            if isinstance(node.ctx, ast.Load):  # reading a router mounts the routes registered on it
                out += self.registered.get((where, name), [])
            if (where, name) in self.by_module or name not in self.imported.get(where, {}):
                break
            where, name = self.imported[where][name]
        return out

    def attribute(self, path: Path, node: ast.Attribute, cls: str | None) -> list[Site]:
        receiver = _receiver(node.value)
        if isinstance(node.value, ast.Name) and (module := self.module_names[path].get(node.value.id)):
            routes = self.registered.get((module, node.attr), []) if isinstance(node.ctx, ast.Load) else []
            return self.by_module.get((module, node.attr), []) + self.dunders.get(node.attr, []) + routes
        candidates = self.methods.get(node.attr, [])
        if receiver in ("self", "cls") and cls:
            own = [s for s in candidates if s[2] == cls]
            return own or candidates  # inherited: any class's method of that name
        owners = self._classes_named_like(receiver)
        if owners:  # `table.put(...)`: DynamoTable's put, not another class's
            return [s for s in candidates if s[2] in owners]
        return [] if node.attr in BUILTIN_METHODS else candidates

    def _classes_named_like(self, receiver: str | None) -> set[str]:
        word = (receiver or "").lstrip("_").lower()
        if len(word) < 3:
            return set()
        return {name for lower, names in self.classes.items() if lower.endswith(word) for name in names}


def reached_code(entry: Path) -> list[Site]:
    """(file, code, class) for all code the entry point can run, found by name from where Lambda enters."""
    index, roots = Index(), []
    for path in reachable_modules(entry).values():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if path == ADAPTER:  # its calls are counted by adapter_actions; its class name types receivers
            index.classes["dynamotable"] = ["DynamoTable"]
            continue
        index.add_module(path, tree)
        roots += [(path, node, None) for node in _top_level(tree)]
        if path == entry:  # the handler itself, whatever its name: Lambda calls into the entry module
            roots += [(path, node, None) for node in tree.body if isinstance(node, Def)]
    reached: list[Site] = []
    todo, seen = list(roots), set()
    while todo:
        site = todo.pop()
        path, code, cls = site
        if id(code) in seen:
            continue
        seen.add(id(code))
        reached.append(site)
        in_decorators = {id(inner) for d in getattr(code, "decorator_list", []) for inner in ast.walk(d)}
        for sub in ast.walk(code):
            if id(sub) in in_decorators:
                continue  # a decorator naming its router does not mount it
            if isinstance(sub, ast.Name):
                todo += index.name(path, sub)
            elif isinstance(sub, ast.Attribute):
                todo += index.attribute(path, sub, cls)
            elif isinstance(sub, ast.Constant) and isinstance(sub.value, str) and sub.value.startswith("enforcewatch."):
                # a module named to be imported later (the staff app's lazy route groups): its router's routes
                module = _module_file(sub.value)
                todo += index.registered.get((module, "router"), []) if module else []
    return reached


@dataclass
class Needs:
    actions: set[str] = field(default_factory=set)
    indexes: set[str] = field(default_factory=set)  # GSIs queried ("*": one the scan cannot name)
    buckets: dict[str, set[str]] = field(default_factory=dict)  # S3 action → Settings fields of its buckets
    sites: dict[str, list[str]] = field(default_factory=dict)  # action → file:line (for messages)

    @property
    def index_query(self) -> bool:
        return bool(self.indexes)


def _index_name(node: ast.expr) -> str:
    """`schema.GSI1` → "gsi1" (the constants are named after their values); "gsi2" → "gsi2"."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Attribute | ast.Name) and re.fullmatch(r"GSI\d+", _receiver(node) or ""):
        return (_receiver(node) or "").lower()
    return "*"


def _call_actions(node: ast.Call, methods: dict[str, set[str]]) -> tuple[set[str], set[str]]:
    """IAM actions one call needs, and the indexes it queries."""
    if not isinstance(node.func, ast.Attribute):
        return set(), set()
    method, keywords = node.func.attr, {k.arg: k.value for k in node.keywords}
    acts: set[str] = set()
    indexes: set[str] = set()
    receiver = _receiver(node.func.value)
    if method in methods and receiver and TABLE_RECEIVER.search(receiver):
        acts |= methods[method]
        if method == "query" and "index" in keywords:
            indexes.add(_index_name(keywords["index"]))
    acts |= {a for (m, kw), a in DIRECT_CALLS.items() if m == method and (kw is None or kw in keywords)}
    return acts, indexes


def _bucket_fields(cls: str | None, reached: list[Site]) -> set[str]:
    """The Settings fields (`export_bucket`…) passed where class `cls` is built: `S3Blobs(client,
    settings.attachment_bucket)`, `S3Downloads.from_settings(settings.export_bucket, …)`."""
    fields: set[str] = set()
    for _path, code, _cls in reached if cls else []:
        for node in ast.walk(code):
            if not isinstance(node, ast.Call):
                continue
            func = node.func.value if isinstance(node.func, ast.Attribute) else node.func
            if isinstance(func, ast.Name) and func.id == cls:
                for arg in [*node.args, *(k.value for k in node.keywords)]:
                    fields |= {a.attr for a in ast.walk(arg) if isinstance(a, ast.Attribute)
                               and a.attr.endswith("_bucket")}
    return fields or {"?"}


def needed(entry: Path) -> Needs:
    methods = adapter_actions()
    needs = Needs()
    counted: set[int] = set()
    reached = reached_code(entry)
    for path, code, cls in reached:
        for node in ast.walk(code):
            if id(node) in counted or not isinstance(node, ast.Call):
                continue
            counted.add(id(node))
            acts, indexes = _call_actions(node, methods)
            needs.indexes |= indexes
            where = f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}:{node.lineno}"
            for action in acts:
                needs.actions.add(action)
                needs.sites.setdefault(action, []).append(where)
                if action.startswith("s3:"):
                    needs.buckets.setdefault(action, set()).update(_bucket_fields(cls, reached))
    if any(a.startswith("dynamodb:") for a in needs.actions):
        needs.actions |= {"kms:Decrypt", "kms:DescribeKey"}
    if needs.actions & WRITES or "sns:Publish" in needs.actions:
        needs.actions |= {"kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt"}
    return needs


def main(argv: list[str]) -> int:
    for arg in argv or [str(p) for p in sorted((ROOT / "functions").glob("*/app.py"))]:
        needs = needed(Path(arg).resolve())
        indexes = f"  (queries {', '.join(sorted(needs.indexes))})" if needs.indexes else ""
        print(f"{arg}{indexes}")  # noqa: T201 - the report
        for action in sorted(needs.actions):
            where = ", ".join(sorted(set(needs.sites.get(action, ["(the table key)"]))))
            buckets = f" [{', '.join(sorted(needs.buckets[action]))}]" if action in needs.buckets else ""
            print(f"  {action:24}{buckets} {where}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
