"""All-or-nothing registry imports (docs/data-model.md, "Registry imports").

DynamoDB transactions hold at most 100 items, and a registry may hold thousands of points. A small
import is one transaction. A larger one is written under a journal:

1. one transaction creates the fence `IMPORT`/`OPEN` (only if none exists) and the head
   `IMPORT#{id}`/`IMPORT` (state `open`);
2. the journal chunks `IMPORT#{id}`/`CHUNK#{n}` record the key of every point to be written and its
   prior image (absent for a new point);
3. the points are written in transactions of at most 99, each with a condition check that the fence
   still names this import and is `open` (so an import that is being rolled back cannot write
   again), each new point only if it does not exist, each updated point only if it is unchanged
   since it was read;
4. one transaction deletes the fence and marks the head `committed`.

On any failure the import is rolled back from its journal: the fence is set to `rolling_back` (the
import's own writes are refused from then on), prior images are put back, new points are deleted,
then the fence is deleted and the head marked `rolled_back`. A process that died before it could
roll back leaves the fence: the next import, and `points import --recover`, roll it back first.
While the fence exists the registry may be half-applied, and the deadline check refuses to run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from enforcewatch.clock import iso_utc
from enforcewatch.errors import ConditionFailed, Conflict, EnforceWatchError
from enforcewatch.store import schema
from enforcewatch.store.dynamo import DynamoTable

FENCE = {schema.PK: "IMPORT", schema.SK: "OPEN"}
HEAD_SK = "IMPORT"
HEADS = "IMPORTS"  # gsi2 partition of the heads, in start order
TRANSACTION_LIMIT = 100  # DynamoDB's
CHUNK_ENTRIES = 100
CHUNK_BYTES = 200_000  # well under the 400 KB item limit


class ImportOpen(Conflict):
    """An import has not finished: the registry may be half-applied."""


class ImportNotRolledBack(EnforceWatchError):
    """An import failed and its roll-back could not finish either; the fence stays until recovery."""

    status = 503


@dataclass(frozen=True)
class Recovery:
    import_id: str
    started_at: str
    source: str
    codes_file: str
    outcome: str  # rolled_back (now), or committed (its commit had gone through)


def new_import_id(now: dt.datetime, rng: random.Random) -> str:
    return f"{now.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}-{rng.getrandbits(32):08x}"


def _token(table: DynamoTable, import_id: str, step: str) -> str:
    """The idempotency token of one transaction of an import (unique per table, import and step)."""
    return hashlib.sha256(f"{table.name}\0{import_id}\0{step}".encode()).hexdigest()[:36]


def open_import(table: DynamoTable) -> dict[str, Any] | None:
    """The fence of an unfinished import, if there is one."""
    return table.get(FENCE[schema.PK], FENCE[schema.SK])


def refuse_while_open(table: DynamoTable, what: str) -> None:
    fence = open_import(table)
    if fence:
        raise ImportOpen(f"监测点登记册导入 {fence['import_id']}（开始于 {fence['started_at']}，来源文件 "
                         f"{fence['source']}）尚未完成，登记册可能只导入了一部分，{what}暂不能进行；"
                         f"请运行 enforcewatch points import --recover")


def imports(table: DynamoTable) -> list[dict[str, Any]]:
    """Every import's head, oldest first."""
    return list(table.query(HEADS, index=schema.GSI2))


def _head_key(import_id: str) -> tuple[str, str]:
    return f"IMPORT#{import_id}", HEAD_SK


def _head(import_id: str) -> dict[str, str]:
    pk, sk = _head_key(import_id)
    return {schema.PK: pk, schema.SK: sk}


def _head_item(import_id: str, state: str, now: dt.datetime, source: str, codes_file: str,
               counts: Mapping[str, int]) -> dict[str, Any]:
    started = iso_utc(now)
    return {**_head(import_id), "kind": "import", "import_id": import_id, "state": state, "started_at": started,
            "source": source, "codes_file": codes_file, **counts,
            schema.GSI2PK: HEADS, schema.GSI2SK: f"{started}#{import_id}"}


def _write_condition(prior: Mapping[str, Any] | None) -> tuple[str, dict[str, Any]]:
    """A new point only if it does not exist; an update only if the point is as it was read (staff may
    change its status meanwhile; the registry fields change only by import)."""
    if prior is None:
        return f"attribute_not_exists({schema.PK})", {}
    parts, values = [f"attribute_exists({schema.PK})"], {}
    for i, name in enumerate(("updated_at", "status", "access_code_hash")):
        if name in prior:
            parts.append(f"#{name} = :p{i}")
            values[f":p{i}"] = prior[name]
        else:
            parts.append(f"attribute_not_exists(#{name})")
    return " AND ".join(parts), values


def _chunks(entries: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    out: list[list[dict[str, Any]]] = [[]]
    size = 0
    for entry in entries:
        n = len(json.dumps(entry, ensure_ascii=False).encode())
        if out[-1] and (len(out[-1]) >= CHUNK_ENTRIES or size + n > CHUNK_BYTES):
            out.append([])
            size = 0
        out[-1].append(entry)
        size += n
    return out


def apply(table: DynamoTable, items: Sequence[Mapping[str, Any]], priors: Mapping[str, Mapping[str, Any] | None],
          *, import_id: str, now: dt.datetime, source: str, codes_file: str,
          progress: Callable[[int], None] | None = None) -> None:
    """Write every point item or none (as the store and its readers see it). `priors` maps each item's
    pk to the point as it was read before (None for a new point).

    Raises ImportNotRolledBack when the outcome is not known or the roll-back did not finish: then the
    fence may remain and `recover` settles it. Any other error means nothing of this import is stored."""
    counts = {"new": sum(1 for i in items if priors.get(i[schema.PK]) is None)}
    counts["updated"] = len(items) - counts["new"]
    writes = [("put", item, *_write_condition(priors.get(item[schema.PK]))) for item in items]
    if len(items) + 2 <= TRANSACTION_LIMIT:
        _apply_small(table, items, writes, import_id, now, _head_item(import_id, "committed", now, source,
                                                                       codes_file, counts))
        return
    fence = {**FENCE, "import_id": import_id, "state": "open", "started_at": iso_utc(now), "source": source}
    fenced = ("check", FENCE, "import_id = :id AND #state = :open", {":id": import_id, ":open": "open"})
    try:
        try:
            table.transact_write([("put", fence, f"attribute_not_exists({schema.PK})", None),
                                  ("put", _head_item(import_id, "open", now, source, codes_file, counts), None, None)],
                                 token=_token(table, import_id, "open"))
        except ConditionFailed as exc:
            raise _refused(table, None, 0, items) from exc
        entries = [{"pk": i[schema.PK], "sk": i[schema.SK]} | ({"prior": dict(p)} if (p := priors.get(i[schema.PK]))
                                                                 else {}) for i in items]
        for n, chunk in enumerate(_chunks(entries)):
            table.put({schema.PK: f"IMPORT#{import_id}", schema.SK: f"CHUNK#{n:05d}", "entries": chunk})
        step = TRANSACTION_LIMIT - 1
        for n, start in enumerate(range(0, len(writes), step)):
            try:
                table.transact_write([fenced, *writes[start:start + step]], token=_token(table, import_id, str(n)))
            except ConditionFailed as exc:
                raise _refused(table, exc.index, 1, items[start:start + step]) from exc
            if progress:
                progress(min(start + step, len(writes)))  # points written so far (terminal only)
        table.transact_write([("delete", FENCE, *fenced[2:]),
                              ("set", {**_head(import_id), "state": "committed", "finished_at": iso_utc(now)}, None, None)],
                             token=_token(table, import_id, "commit"))
    except BaseException as failure:  # Ctrl-C too: nothing may stay half-written
        try:
            outcome = rollback(table, import_id, now)
        except Exception as exc:
            raise ImportNotRolledBack(
                f"导入失败，回滚也未能完成（{getattr(exc, 'message', type(exc).__name__)}）；登记册可能只导入了一部分。"
                f"数据存储恢复后请运行 enforcewatch points import --recover") from failure
        if outcome != "committed":  # committed: the commit went through and only its answer was lost
            raise
    _clear(table, import_id)


def _apply_small(table: DynamoTable, items: Sequence[Mapping[str, Any]], writes: list[Any], import_id: str,
                 now: dt.datetime, head: dict[str, Any]) -> None:
    """One transaction: no other import may be open; the head is the record of the import."""
    ops = [("check", FENCE, f"attribute_not_exists({schema.PK})", None),
           ("put", head | {"finished_at": iso_utc(now), "cleared": True}, f"attribute_not_exists({schema.PK})", None),
           *writes]
    try:
        table.transact_write(ops, token=_token(table, import_id, "all"))
    except ConditionFailed as exc:
        raise _refused(table, exc.index, 2, items) from exc
    except Exception:  # the answer may have been lost after the transaction was applied
        try:
            applied = table.get(head[schema.PK], head[schema.SK]) is not None
        except Exception as exc:
            raise ImportNotRolledBack("导入时数据存储中断，无法确认是否已写入；数据存储恢复后请运行 "
                                      "enforcewatch points import --recover 查看最近一次导入的结果") from exc
        if not applied:
            raise


def _refused(table: DynamoTable, index: int | None, offset: int, items: Sequence[Mapping[str, Any]]) -> Exception:
    """A condition failed in a transaction: which point changed, or that another import is open."""
    if index is not None and index >= offset:
        pid = items[index - offset].get("point_id")
        return Conflict(f"监测点 {pid} 在导入期间被修改或新建，本次导入已全部撤销，请重新导入")
    try:
        refuse_while_open(table, "新的导入")
    except ImportOpen as exc:
        return exc
    return Conflict("导入的状态已被另一操作改变，本次导入已全部撤销，请重新导入")


def rollback(table: DynamoTable, import_id: str, now: dt.datetime) -> str:
    """Undo an unfinished import from its journal; safe to run again after a failure. Returns
    "rolled_back", or "committed" if the import had in fact committed."""
    try:
        table.update(FENCE[schema.PK], FENCE[schema.SK], {"state": "rolling_back"},
                     condition="import_id = :id", condition_values={":id": import_id})
    except ConditionFailed:  # no fence of this import: it finished one way or the other
        head = table.get(*_head_key(import_id))
        state: str = (head or {}).get("state", "rolled_back")
        if state == "open":  # the fence was never created: nothing was written
            state = "rolled_back"
        return state
    restore: list[dict[str, Any]] = []
    delete: list[tuple[str, str]] = []
    for chunk in table.query(f"IMPORT#{import_id}", "CHUNK#", consistent=True):
        for entry in chunk["entries"]:
            if "prior" in entry:
                restore.append(entry["prior"])
            else:
                delete.append((entry["pk"], entry["sk"]))
    table.batch_put(restore)
    table.batch_delete(delete)
    table.transact_write([
        ("delete", FENCE, "import_id = :id", {":id": import_id}),
        ("set", {**_head(import_id), "state": "rolled_back", "finished_at": iso_utc(now)}, None, None)])
    _clear(table, import_id)
    return "rolled_back"


def _clear(table: DynamoTable, import_id: str) -> None:
    """Drop a finished import's chunks (they hold old access-code hashes); the head stays as the record."""
    chunks = [(c[schema.PK], c[schema.SK]) for c in table.query(f"IMPORT#{import_id}", "CHUNK#", consistent=True)]
    table.batch_delete(chunks)
    table.update(*_head_key(import_id), {"cleared": True})


def recover(table: DynamoTable, now: dt.datetime) -> Recovery | None:
    """Roll back the unfinished import, if any; also drop chunks a finished import left behind."""
    fence = open_import(table)
    for head in imports(table):
        if head.get("state") in ("committed", "rolled_back") and not head.get("cleared"):
            _clear(table, head["import_id"])
    if fence is None:
        return None
    head = table.get(*_head_key(fence["import_id"])) or {}
    outcome = rollback(table, fence["import_id"], now)
    return Recovery(fence["import_id"], fence["started_at"], fence["source"], head.get("codes_file", ""), outcome)
