"""The staff workflow of a 双随机 task: open → commit (each party) → announce (automatic) → reveal
(each party) → run → publish, each step checked, each audited (docs/draws.md "The steps of a draw").

Items (docs/data-model.md): the task `DRAW#{id}` / `TASK` (listed by `gsi2` `DRAWS` /
`{scheduled_at}#{id}`) holds the spec, the state, the commitments and reveals, the announcement
digest, the seed and, confidential, the task key. The 检查对象名录 is stored in chunks
`DRAW#{id}` / `CAND#{n:05d}` ("USCC:class" joined by ";") and who was drawn in `SEL#{n:05d}`
("USCC:class:inspector,inspector"), because 10,000 candidates do not fit one item. The public record
itself is not stored: it is made again from these inputs whenever needed, and refused unless its
announcement digest is the one fixed when the last commitment arrived. Only the city office may
run a task (the API and the CLI check the scope).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import Field, ValidationError

from enforcewatch.casework.records import save_revision
from enforcewatch.clock import iso_utc
from enforcewatch.draws import compose
from enforcewatch.draws import record as rec
from enforcewatch.draws.hashing import commitment as commit_hash
from enforcewatch.draws.hashing import leaf, salt_for
from enforcewatch.errors import ConditionFailed, Conflict, EnforceWatchError, FieldError, InputError, NotFound
from enforcewatch.staff import audit
from enforcewatch.store import schema

if TYPE_CHECKING:  # pragma: no cover
    from enforcewatch.store.dynamo import DynamoTable

T = TypeVar("T")
CHUNK = 2000
STATES = {"open": "收集承诺中", "announced": "已公告，待揭示", "completed": "已抽取", "published": "已公布"}


class TaskSpec(rec.Model):
    """What staff give when opening a task (JSON; unknown fields refused)."""

    id: rec.Id
    title: rec.Label
    item_id: rec.Id  # the spot-check item (its ratios come from the published list)
    agency: rec.Label
    scheduled_at: str
    team_size: int = Field(default=2, ge=1, le=10)
    inspectors: list[rec.Id] = Field(min_length=1, max_length=2000)
    parties: list[str] = Field(default_factory=lambda: ["agency", "justice"])
    previous_draw: str = ""
    candidates: list[dict[str, str]] = Field(min_length=1, max_length=100_000)  # {uscc, credit_class}
    avoid: dict[str, list[rec.Id]] = Field(default_factory=dict)  # uscc -> inspectors last time


def _fail(field: str, message: str) -> InputError:
    return InputError(f"{field}: {message}", [FieldError((field,), message)])


def parse_spec(data: Any) -> TaskSpec:
    try:
        spec = TaskSpec.model_validate(data)
    except ValidationError as exc:
        problems = [FieldError(tuple(e["loc"]), e["msg"]) for e in exc.errors()]
        raise InputError("；".join(f"{'.'.join(map(str, p.loc))}: {p.msg}" for p in problems[:5]), problems) from None
    if not rec.TIME.match(spec.scheduled_at):
        raise _fail("scheduled_at", "抽取时间应写作北京时间，如 2026-11-20T10:00:00+08:00")
    unknown = [p for p in spec.parties if p not in rec.PARTY_ROLES]
    if unknown or not set(rec.REQUIRED_PARTIES) <= set(spec.parties):
        raise _fail("parties", "参与方须包括 agency（执法机关）和 justice（司法局），可加 point（监测点代表）")
    if spec.team_size > len(set(spec.inspectors)):
        raise _fail("team_size", f"每组 {spec.team_size} 人，但执法检查人员只有 {len(set(spec.inspectors))} 人")
    return spec


def _keys(draw_id: str) -> tuple[str, str]:
    return f"DRAW#{draw_id}", "TASK"


def get(table: DynamoTable, draw_id: str) -> dict[str, Any]:
    item = table.get(*_keys(draw_id))
    if item is None:
        raise NotFound(f"没有抽取任务 {draw_id}")
    return item


def open_task(table: DynamoTable, data: Any, ratios_bp: Mapping[str, int], matter_item: str, actor: str,
              now: dt.datetime, rng: random.Random) -> dict[str, Any]:
    """Create the task; its candidates are checked (统一社会信用代码, classes with a published ratio)."""
    spec = parse_spec(data)
    task_key = f"{rng.getrandbits(256):064x}"
    candidates = [compose.Candidate(str(c.get("uscc", "")).strip().upper(), str(c.get("credit_class", "")).strip())
                  for c in spec.candidates]
    classes = compose.classes_of(spec.id, task_key, candidates, ratios_bp)  # raises on bad candidates
    pk, sk = _keys(spec.id)
    chunks = (len(candidates) + CHUNK - 1) // CHUNK
    head = {"pk": pk, "sk": sk, schema.GSI2PK: "DRAWS", schema.GSI2SK: f"{spec.scheduled_at}#{spec.id}",
            "kind": "draw_task", "draw_id": spec.id, "title": spec.title, "item_id": spec.item_id,
            "item": matter_item, "agency": spec.agency, "scheduled_at": spec.scheduled_at,
            "team_size": spec.team_size, "inspectors": sorted(set(spec.inspectors)), "parties": spec.parties,
            "previous_draw": spec.previous_draw, "ratios_bp": dict(ratios_bp), "avoid": spec.avoid,
            "task_key": task_key, "chunks": chunks,
            "sizes": {c.code: c.size for c in classes}, "candidates_digest": rec.candidates_digest(spec.id, classes),
            "commitments": {}, "reveals": {}, "state": "open",
            "opened_at": iso_utc(now), "opened_by": actor, "rev": 0}
    if table.get(pk, sk) is not None:
        raise Conflict(f"抽取任务 {spec.id} 已存在")
    for n in range(chunks):  # the chunks first: a task never points at chunks not yet written
        part = candidates[n * CHUNK:(n + 1) * CHUNK]
        table.put({"pk": pk, "sk": f"CAND#{n:05d}", "entries": ";".join(f"{c.uscc}:{c.credit_class}" for c in part)})
    try:
        table.put_new(head)
    except ConditionFailed:
        raise Conflict(f"抽取任务 {spec.id} 已存在") from None
    return head


def candidates(table: DynamoTable, task: Mapping[str, Any]) -> list[compose.Candidate]:
    out = []
    for item in table.query(task["pk"], "CAND#", consistent=True):
        for entry in filter(None, item["entries"].split(";")):
            uscc, _, code = entry.partition(":")
            out.append(compose.Candidate(uscc, code))
    return out


def _require_state(task: Mapping[str, Any], state: str, doing: str) -> None:
    if task["state"] != state:
        raise Conflict(f"抽取任务 {task['draw_id']} {STATES[task['state']]}，不能{doing}")


def _party(task: Mapping[str, Any], party: str) -> None:
    if party not in task["parties"]:
        raise _fail("party", f"{party} 不是本次抽取的参与方（{'、'.join(task['parties'])}）")


def commit(table: DynamoTable, draw_id: str, party: str, value: str, now: dt.datetime) -> dict[str, Any]:
    """Record one party's commitment; with the last one the record is announced (fixed)."""
    task = get(table, draw_id)
    _require_state(task, "open", "再提交承诺")
    _party(task, party)
    value = value.strip().lower()
    if not rec.HEX64_RE.match(value):
        raise _fail("commitment", "承诺应为 64 位十六进制（SHA-256）")
    if party in task["commitments"]:
        raise Conflict(f"{rec.PARTY_ROLES[party]}已提交过承诺，不能更换")
    commitments = {**task["commitments"], party: {"commitment": value, "at": _china(now)}}
    fields: dict[str, Any] = {"commitments": commitments}
    if set(commitments) == set(task["parties"]):
        announced = _announce({**task, "commitments": commitments}, table)
        fields.update(state="announced", announcement_digest=announced.announcement_digest)
    return save_revision(table, task, fields)


def announced_record(table: DynamoTable, task: Mapping[str, Any]) -> rec.DrawRecord:
    """The announced record, made again from the stored inputs (records of 10,000 candidates do not
    fit an item); refused if it is not the one whose digest was fixed at the announcement."""
    announced = _announce(task, table)
    if announced.announcement_digest != task["announcement_digest"]:
        raise Conflict(f"抽取任务 {task['draw_id']} 的候选名录或参数在公告后被改动，不能继续")
    return announced


def completed_record(table: DynamoTable, task: Mapping[str, Any]) -> rec.DrawRecord:
    return compose.complete(announced_record(table, task), [rec.Reveal(party=p, secret=v["secret"], at=v["at"])
                                                            for p, v in task["reveals"].items()])


def _announce(task: Mapping[str, Any], table: DynamoTable) -> rec.DrawRecord:
    classes = compose.classes_of(task["draw_id"], task["task_key"], candidates(table, task), task["ratios_bp"])
    if rec.candidates_digest(task["draw_id"], classes) != task["candidates_digest"]:  # a lost or mixed chunk
        raise Conflict(f"抽取任务 {task['draw_id']} 的候选名录与开启时不一致，不能继续")
    avoid = {rec_leaf(task, uscc): ids for uscc, ids in task["avoid"].items()}
    return compose.announce(
        draw_id=task["draw_id"], title=task["title"], matter=rec.Matter(item_id=task["item_id"], item=task["item"]),
        agency=task["agency"], scheduled_at=task["scheduled_at"], team_size=int(task["team_size"]),
        classes=classes, inspectors=task["inspectors"], avoid=avoid, previous_draw=task["previous_draw"],
        commitments=[rec.Commitment(party=p, commitment=c["commitment"], at=c["at"])
                     for p, c in task["commitments"].items()])


def rec_leaf(task: Mapping[str, Any], uscc: str) -> str:
    return leaf(task["draw_id"], uscc, salt_for(task["task_key"], uscc))


def reveal(table: DynamoTable, draw_id: str, party: str, secret: str, now: dt.datetime) -> dict[str, Any]:
    """Record one party's secret: only at or after the scheduled time, only if it matches the commitment."""
    task = get(table, draw_id)
    _require_state(task, "announced", "揭示")
    _party(task, party)
    if now < dt.datetime.fromisoformat(task["scheduled_at"]):
        raise _fail("secret", f"未到抽取时间（{task['scheduled_at']}），不能揭示")
    secret = secret.strip().lower()
    if not rec.HEX64_RE.match(secret):
        raise _fail("secret", "秘密应为 64 位十六进制（由 enforcewatch draws secret 生成）")
    if commit_hash(draw_id, party, secret) != task["commitments"][party]["commitment"]:
        raise _fail("secret", f"{rec.PARTY_ROLES[party]}揭示的秘密与其承诺不符")
    if party in task["reveals"]:
        raise Conflict(f"{rec.PARTY_ROLES[party]}已揭示过")
    return save_revision(table, task, {"reveals": {**task["reveals"], party: {"secret": secret, "at": _china(now)}}})


def run(table: DynamoTable, draw_id: str) -> dict[str, Any]:
    """Draw once every party has revealed; keeps (confidential) who was drawn, for matching."""
    task = get(table, draw_id)
    _require_state(task, "announced", "抽取")
    done = completed_record(table, task)
    by_leaf = {rec_leaf(task, c.uscc): c.uscc for c in candidates(table, task)}
    rows = [f"{by_leaf[s.leaf]}:{s.credit_class}:{','.join(s.inspectors)}" for s in done.result]
    for n in range(0, len(rows), CHUNK):
        table.put({"pk": task["pk"], "sk": f"SEL#{n // CHUNK:05d}", "entries": ";".join(rows[n:n + CHUNK])})
    return save_revision(table, task, {"state": "completed", "seed": done.seed, "selected_count": len(rows)})


def selected(table: DynamoTable, task: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Who the draw selected, by 统一社会信用代码 (confidential; for proofs and matching)."""
    out = []
    for item in table.query(task["pk"], "SEL#", consistent=True):
        for entry in filter(None, item["entries"].split(";")):
            code, credit_class, team = entry.split(":")
            out.append({"uscc": code, "credit_class": credit_class, "inspectors": team.split(",")})
    return out


def publish(table: DynamoTable, draw_id: str) -> tuple[dict[str, Any], str]:
    """The record to put in site/content/draws/: once announced, the announced record (publish it at
    once, docs/draws.md "Threat model"); once drawn, the completed one, and the task is marked
    published. Publishing again gives the same record."""
    task = get(table, draw_id)
    if task["state"] == "open":
        _require_state(task, "announced", "公布")
    if task["state"] == "announced":
        return task, announced_record(table, task).dump()
    body = completed_record(table, task).dump()
    if task["state"] == "completed":
        task = save_revision(table, task, {"state": "published"})
    return task, body


def proof(table: DynamoTable, draw_id: str, uscc: str) -> dict[str, str]:
    """An enterprise's inclusion proof: its salt (only for an enterprise among the candidates)."""
    task = get(table, draw_id)
    uscc = uscc.strip().upper()
    if uscc not in {c.uscc for c in candidates(table, task)}:
        raise NotFound(f"{uscc} 不在抽取任务 {draw_id} 的候选名录中")
    return {"draw": draw_id, "uscc": uscc, "salt": salt_for(task["task_key"], uscc)}


def view(task: Mapping[str, Any]) -> dict[str, Any]:
    """What staff see: state and steps, never the task key, the secrets before the draw, or the名录."""
    return {"draw_id": task["draw_id"], "title": task["title"], "state": STATES[task["state"]],
            "item_id": task["item_id"], "agency": task["agency"], "scheduled_at": task["scheduled_at"],
            "sizes": task["sizes"], "parties": {p: rec.PARTY_ROLES[p] for p in task["parties"]},
            "committed": sorted(task["commitments"]), "revealed": sorted(task["reveals"]),
            "announcement_digest": task.get("announcement_digest"), "seed": task.get("seed"),
            "selected_count": task.get("selected_count")}


def listing(table: DynamoTable) -> Iterator[dict[str, Any]]:
    for item in table.query("DRAWS", index=schema.GSI2):
        yield get(table, item["draw_id"])


def completed_selections(table: DynamoTable) -> Iterator[dict[str, Any]]:
    """Each completed draw with who it selected (confidential; for matching)."""
    for task in listing(table):
        if task["state"] in ("completed", "published"):
            yield {"draw_id": task["draw_id"], "item_id": task["item_id"], "agency": task["agency"],
                   "scheduled_at": task["scheduled_at"], "selected": selected(table, task)}


def _china(now: dt.datetime) -> str:
    return now.astimezone(dt.timezone(dt.timedelta(hours=8))).isoformat(timespec="seconds")


def audited(table: DynamoTable, actor: str, action: str, draw_id: str, now: dt.datetime, rng: random.Random,
            step: Callable[[], T], **details: Any) -> T:
    """Run one step and write its audit entry, `ok` or `refused` with the reason. Details are ids and
    counts (and, for a proof, the enterprise asking): never a secret or a salt."""
    try:
        result = step()
    except EnforceWatchError as exc:
        audit.record(table, actor, action, {"draw_id": draw_id, **details, "reason": exc.message}, now, rng, "refused")
        raise
    audit.record(table, actor, action, {"draw_id": draw_id, **details}, now, rng)
    return result
