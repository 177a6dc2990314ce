// 双随机抽取记录的浏览器核验（算法 ewdraw-1，见 docs/draws.md）。
// Recomputes a published draw record with WebCrypto SHA-256, the same steps as
// `enforcewatch draws verify`: candidates digest, counts, announcement digest, public value,
// reveals against commitments, seed, and the result. Nothing is sent anywhere.
const ALGORITHM = "ewdraw-1";
const ROLES = { agency: "执法机关", justice: "司法局", point: "监测点代表" };
const enc = new TextEncoder();

function hex(buf) {
  return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
}

// SHA-256 over the tag and each field, each UTF-8 with a 4-byte big-endian length before it.
export async function tagged(tag, ...fields) {
  const parts = [tag, ...fields].map((f) => enc.encode(f));
  const total = parts.reduce((n, p) => n + 4 + p.length, 0);
  const data = new Uint8Array(total);
  const view = new DataView(data.buffer);
  let at = 0;
  for (const p of parts) {
    view.setUint32(at, p.length);
    data.set(p, at + 4);
    at += 4 + p.length;
  }
  return hex(await crypto.subtle.digest("SHA-256", data));
}

export class Stream {
  constructor(seed, label) { this.seed = seed; this.label = label; this.counter = 0; this.words = []; }
  async word() {
    if (this.words.length === 0) {
      const h = await tagged(`${ALGORITHM}/prng`, this.seed, this.label, String(this.counter));
      this.counter += 1;
      for (let i = 0; i < 64; i += 8) this.words.push(parseInt(h.slice(i, i + 8), 16));
    }
    return this.words.shift();
  }
  async uniform(n) {
    const W = 2 ** 32;
    const limit = W - (W % n);
    for (;;) {
      const x = await this.word();
      if (x < limit) return x % n;
    }
  }
}

export function countFor(size, bp) {
  return Math.min(size, Math.floor((size * bp + 9999) / 10000));
}

export async function shufflePrefix(items, count, stream) {
  const a = items.slice();
  for (let i = 0; i < count; i++) {
    const j = i + (await stream.uniform(a.length - i));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.slice(0, count);
}

export async function draw(seed, classes, inspectors, teamSize, avoid) {
  const chosen = [];
  for (const c of classes) {
    const picked = await shufflePrefix(c.leaves, countFor(c.leaves.length, c.ratio_bp), new Stream(seed, `shuffle/${c.code}`));
    for (const leaf of picked) chosen.push([c.code, leaf]);
  }
  const stream = new Stream(seed, "assign");
  const load = Object.fromEntries(inspectors.map((i) => [i, 0]));
  const out = [];
  for (const [code, leaf] of chosen) {
    const order = await shufflePrefix(inspectors, inspectors.length, stream);
    order.sort((x, y) => load[x] - load[y]); // stable since ES2019
    const last = new Set(avoid[leaf] || []);
    const team = order.filter((i) => !last.has(i)).slice(0, teamSize);
    team.push(...order.filter((i) => last.has(i)).slice(0, teamSize - team.length));
    for (const i of team) load[i] += 1;
    out.push([code, leaf, team]);
  }
  return out;
}

const byParty = (a, b) => (a.party < b.party ? -1 : a.party > b.party ? 1 : 0);
const who = (p) => `${ROLES[p] || p}（${p}）`;

export async function announcementDigest(r) {
  const fields = [r.id, r.algorithm, r.matter.item_id, r.agency, r.scheduled_at, String(r.team_size),
    r.candidates_digest, ...r.classes.map((c) => `${c.code}:${c.ratio_bp}:${c.size}:${c.count}`),
    "inspectors", ...r.inspectors, "avoid",
    ...Object.keys(r.avoid).sort().map((leaf) => `${leaf}:${r.avoid[leaf].join(",")}`),
    "previous", r.previous_draw, "commitments",
    ...r.commitments.slice().sort(byParty).map((c) => `${c.party}:${c.commitment}`)];
  return tagged(`${ALGORITHM}/announce`, ...fields);
}

// Every difference found, as Chinese messages; [] when the record holds together.
export async function verifyRecord(r) {
  const found = [];
  if (r.algorithm !== ALGORITHM) {
    return [`算法版本 “${r.algorithm}” 不是本页实现的 ${ALGORITHM}，无法按此版本复算`];
  }
  const seen = new Set();
  const ascendingUnique = (list) => list.every((x, i) => i === 0 || list[i - 1] < x);
  for (const c of r.classes) {
    if (!ascendingUnique(c.leaves)) found.push(`${c.code}类候选名录未按升序排列或有重复`);
    if (c.leaves.some((leaf) => seen.has(leaf))) found.push(`${c.code}类候选名录中有企业同时出现在其他类别`);
    c.leaves.forEach((leaf) => seen.add(leaf));
    if (c.size !== c.leaves.length) found.push(`${c.code}类候选名录有 ${c.leaves.length} 家，记录写的是 ${c.size} 家：名录被增删`);
    const want = countFor(c.size, c.ratio_bp);
    if (c.count !== want) found.push(`${c.code}类抽取数量 ${c.count} 与比例 ${c.ratio_bp / 100}%（${c.size} 家应抽 ${want} 家）不符`);
  }
  if (!ascendingUnique(r.inspectors)) found.push("执法检查人员名单未按升序排列或有重复");
  if (r.team_size > r.inspectors.length) found.push(`每组 ${r.team_size} 人，但名单只有 ${r.inspectors.length} 人`);
  const cand = await tagged(`${ALGORITHM}/candidates`, r.id,
    ...r.classes.flatMap((c) => c.leaves.map((leaf) => `${c.code}:${c.ratio_bp}:${leaf}`)));
  if (cand !== r.candidates_digest) found.push("候选名录摘要与名录不符：名录中有企业被增加、删除或改动");
  if ((await announcementDigest(r)) !== r.announcement_digest) {
    found.push("公告摘要与记录内容不符：承诺、名录、数量或人员在公告后被改动");
  }
  if ((await tagged(`${ALGORITHM}/public`, r.scheduled_at, r.announcement_digest, r.beacon)) !== r.public_value) {
    found.push("公开值与抽取时间、公告摘要不符");
  }
  if (r.status !== "completed") {
    if (r.result.length || r.reveals.length || r.seed) found.push("记录尚未完成抽取，却已写有揭示值、种子或抽取结果");
    return found;
  }
  const committed = Object.fromEntries(r.commitments.map((c) => [c.party, c.commitment]));
  for (const v of r.reveals) {
    if (!(v.party in committed)) found.push(`${who(v.party)}揭示了秘密，但没有事先提交承诺`);
    else if ((await tagged(`${ALGORITHM}/commit`, r.id, v.party, v.secret)) !== committed[v.party]) {
      found.push(`${who(v.party)}揭示的秘密与其承诺不符`);
    }
  }
  const revealed = new Set(r.reveals.map((v) => v.party));
  for (const p of Object.keys(committed)) if (!revealed.has(p)) found.push(`${who(p)}提交了承诺但没有揭示秘密，本次抽取不能完成`);
  const seed = await tagged(`${ALGORITHM}/seed`, r.public_value,
    ...r.reveals.slice().sort(byParty).map((v) => `${v.party}:${v.secret}`));
  if (seed !== r.seed) found.push("随机种子与各方揭示的秘密和公开值不符");
  const want = await draw(r.seed, r.classes, r.inspectors, r.team_size, r.avoid);
  if (want.length !== r.result.length) {
    found.push(`抽取结果有 ${r.result.length} 家，按种子复算应为 ${want.length} 家`);
  } else {
    for (let n = 0; n < want.length; n++) {
      const [code, leaf, team] = want[n];
      const got = r.result[n];
      if (got.credit_class !== code || got.leaf !== leaf) {
        found.push(`抽取结果第 ${n + 1} 家与按种子复算的结果不符（应为 ${code}类 ${leaf.slice(0, 12)}…）`);
        break;
      }
      if (got.inspectors.join(",") !== team.join(",")) {
        found.push(`第 ${n + 1} 家的检查人员与按种子复算的结果不符（应为 ${team.join("、")}）`);
        break;
      }
    }
  }
  return found;
}

export async function membership(r, uscc, salt) {
  const leaf = await tagged(`${ALGORITHM}/leaf`, r.id, uscc.trim().toUpperCase(), salt.trim().toLowerCase());
  const bucket = r.classes.find((c) => c.leaves.includes(leaf));
  if (!bucket) return `未列入本次抽取的候选名录（摘要 ${leaf.slice(0, 16)}… 不在名录中）`;
  const pick = r.result.find((s) => s.leaf === leaf);
  return `已列入候选名录（${bucket.code}类）；` + (pick ? `已被抽中，检查人员：${pick.inspectors.join("、")}` : "未被抽中");
}

function say(out, text, ok) {
  out.textContent = text;
  out.className = ok ? "draw-check ok" : "draw-check failed";
}

// The ratios of the matter on the published 随机抽查事项清单 (the site's own data download).
export function ratioFindings(record, items) {
  const item = items.find((i) => i.id === record.matter.item_id);
  if (!item) return [`随机抽查事项清单中没有事项 ${record.matter.item_id}`];
  const found = [];
  for (const c of record.classes) {
    const pct = c.code in item.ratio_pct ? item.ratio_pct[c.code] : item.ratio_pct.base;
    if (pct === undefined) found.push(`${c.code}类在公布的随机抽查事项清单（${item.id}）中没有抽查比例`);
    else if (Math.round(pct * 100) !== c.ratio_bp) {
      found.push(`${c.code}类抽查比例 ${c.ratio_bp / 100}% 与公布的随机抽查事项清单（${item.id}）的 ${pct}% 不符`);
    }
  }
  return found;
}

async function publishedRatios(record) {
  try {
    const res = await fetch("/data/spot-checks.json");
    return res.ok ? ratioFindings(record, await res.json()) : [];
  } catch {
    return []; // the list download is not reachable (a saved page): the ratios are not compared
  }
}

async function checkInto(out, load) {
  if (!globalThis.crypto || !crypto.subtle) {
    say(out, "此浏览器不支持 WebCrypto（需通过 https 访问本页）。请按下方说明用命令行核验。", false);
    return;
  }
  say(out, "正在核验……", true);
  try {
    const record = await load();
    const found = [...(await publishedRatios(record)), ...(await verifyRecord(record))];
    if (found.length === 0 && record.status !== "completed") {
      say(out, "核验通过：公告内容（候选名录摘要、抽取数量、人员和各方承诺）前后一致；尚未揭示，尚未抽取。", true);
    } else if (found.length === 0) {
      say(out, `核验通过：按公布的承诺、揭示值和算法复算，抽取结果（${record.result.length} 家）与记录一致。`, true);
    }
    else say(out, "核验未通过：" + found.join("；"), false);
  } catch (err) {
    say(out, `无法核验：记录文件不是有效的抽取记录（${err.message}）`, false);
  }
}

async function fetchRecord(url) {
  const res = await fetch(url, { cache: "no-store" });
  if (!res.ok) throw new Error(`下载失败（${res.status}）`);
  return res.json();
}

for (const box of document.querySelectorAll("[data-draw-record]")) {
  const url = box.dataset.drawRecord;
  const out = box.querySelector(".draw-check");
  box.hidden = false;
  box.querySelector("button.verify").addEventListener("click", () => checkInto(out, () => fetchRecord(url)));
  const file = box.querySelector("input[type=file]");
  file?.addEventListener("change", () => {
    if (file.files.length) checkInto(out, async () => JSON.parse(await file.files[0].text()));
  });
  const form = box.querySelector("form.membership");
  form?.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = form.querySelector(".membership-result");
    try {
      result.textContent = await membership(await fetchRecord(url), form.uscc.value, form.salt.value);
    } catch (err) {
      result.textContent = `无法查询：${err.message}`;
    }
  });
}
