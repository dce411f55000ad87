#!/usr/bin/env python3
"""Writes the fuzz seeds into fuzz/seeds/<target>/ from the repository's own
inputs (tests/golden, examples, policies, README/docs TOML blocks). Generated,
not committed: run by scripts/fuzz.sh before each run."""
import csv, io, json, pathlib, re, shutil, sys, zipfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "fuzz" / "seeds"


def put(target, name, data):
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def toml_blocks(path):
    if not path.exists():
        return []
    return re.findall(r"```toml\n(.*?)```", path.read_text(encoding="utf-8"), re.S)


shutil.rmtree(OUT, ignore_errors=True)
requests = sorted((ROOT / "tests" / "golden").glob("*.request.json"))
requests += sorted((ROOT / "examples").glob("*.json"))
reforms = sorted((ROOT / "examples" / "reforms").glob("*.toml"))

# contract: every golden and example request, as whatif with each reform,
# and the other kinds.
for p in requests:
    put("contract", p.name, p.read_bytes())
example = json.loads((ROOT / "examples" / "request-2026-11.json").read_text(encoding="utf-8"))
for r in reforms:
    v = dict(example, kind="whatif", reform=r.read_text(encoding="utf-8"))
    put("contract", f"whatif-{r.stem}.json", json.dumps(v, ensure_ascii=False))
put("contract", "annual.json", json.dumps(dict(example, kind="annual", period="2026"), ensure_ascii=False))
put("contract", "grades.json", json.dumps(dict(example, kind="grades"), ensure_ascii=False))
put("contract", "kind-last.json", json.dumps({"period": "2026-11", "workers": example["workers"][:2], "kind": "monthly"}, ensure_ascii=False))
put("contract", "codes.json", '{"kind":"codes"}')

# policy: the policy files and the README's policy block.
for p in sorted((ROOT / "policies").glob("*.toml")):
    put("policy", p.name, p.read_bytes())

# reform: example reforms, reform blocks in README and docs, small ones from tests.
for r in reforms:
    put("reform", r.name, r.read_bytes())
n = 0
for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
    for block in toml_blocks(doc):
        if "[changes]" in block:
            n += 1
            put("reform", f"doc-{n}.toml", block)
head = 'id = "r"\nbase = "gulou"\neffective_from = 2026-07-01\n'
put("reform", "quota.toml", head + '\n[changes]\nquota.excellent = "0.20"\nquota.good = "0.55"\n')
put("reform", "pinned.toml", head + 'base_version = "2018"\nversion = "v2"\n\n[changes]\nhonours.national = "12000.00"\n')

# hrfile: first byte = selector (bits 0-1 name/format, 2-4 reader, 5-6 options);
# see fuzz_targets/hrfile.rs.
CSV, XLSX, JSONF, SNIFF = 0, 1, 2, 3
ROSTER, ASSESS, HONOURS, SCORES, GRADES = range(5)
GBK = 2 << 5


def sel(fmt, reader, opt=0):
    return bytes([fmt | reader << 2 | opt])


def to_csv(rows, fields, headers=None):
    s = io.StringIO()
    w = csv.writer(s, lineterminator="\r\n")
    w.writerow(headers or fields)
    for r in rows:
        w.writerow([r.get(f, "") for f in fields])
    return s.getvalue()


workers = example["workers"][:6]
ids = {w["id"] for w in workers}
assess = [a for a in example.get("assessments", []) if a.get("worker_id") in ids]
honours = example.get("honours", [])[:3]
roster_f = ["id", "name", "unit", "position", "title", "hired_on", "left_on", "probation_until"]
roster_zh = ["工号", "姓名", "社区", "岗位", "职称", "入职日期", "离职日期", "试用期至"]
assess_f = ["worker_id", "period", "grade", "score"]
honour_f = ["worker_id", "level", "awarded_on", "deed"]
unit = {w["id"]: w["unit"] for w in workers}
scores = [{"worker_id": w["id"], "unit": w["unit"], "score": str(90 - i), "period": "2026"} for i, w in enumerate(workers)]
grades = [dict(s, grade=["excellent", "good", "pass"][i % 3]) for i, s in enumerate(scores)]

roster_csv = to_csv(workers, roster_f, roster_zh)
put("hrfile", "roster.csv", sel(CSV, ROSTER) + roster_csv.encode())
put("hrfile", "roster-title-row.csv", sel(CSV, ROSTER) + ("鼓楼区花名册,,,\r\n" + roster_csv).encode())
put("hrfile", "roster-gbk.csv", sel(CSV, ROSTER, GBK) + roster_csv.encode("gbk"))
put("hrfile", "roster-en.csv", sel(SNIFF, ROSTER) + ("\ufeff" + to_csv(workers, roster_f)).encode())
put("hrfile", "assessments.csv", sel(CSV, ASSESS) + to_csv(assess, assess_f, ["工号", "考核期间", "等次", "分数"]).encode())
put("hrfile", "honours.csv", sel(CSV, HONOURS) + to_csv(honours, honour_f, ["工号", "荣誉级别", "授予日期", "事迹"]).encode())
put("hrfile", "scores.csv", sel(CSV, SCORES) + to_csv(scores, ["worker_id", "unit", "score", "period"]).encode())
put("hrfile", "grades.csv", sel(CSV, GRADES) + to_csv(grades, ["worker_id", "unit", "grade", "period"]).encode())
put("hrfile", "roster.json", sel(JSONF, ROSTER) + json.dumps(workers, ensure_ascii=False).encode())
put("hrfile", "roster-wrapped.json", sel(SNIFF, ROSTER) + json.dumps({"workers": workers}, ensure_ascii=False).encode())
put("hrfile", "assessments.json", sel(JSONF, ASSESS) + json.dumps(assess, ensure_ascii=False).encode())
put("hrfile", "honours.json", sel(JSONF, HONOURS) + json.dumps(honours, ensure_ascii=False).encode())
put("hrfile", "scores.json", sel(JSONF, SCORES) + json.dumps(scores, ensure_ascii=False).encode())


def xlsx(rows):
    """A minimal workbook: one sheet named Sheet1, inline strings, one number."""
    def cell(r, c, v):
        ref = chr(ord("A") + c) + str(r)
        if isinstance(v, (int, float)):
            return f'<c r="{ref}"><v>{v}</v></c>'
        v = str(v).replace("&", "&amp;").replace("<", "&lt;")
        return f'<c r="{ref}" t="inlineStr"><is><t>{v}</t></is></c>'
    data = "".join(
        f'<row r="{i}">' + "".join(cell(i, c, v) for c, v in enumerate(row)) + "</row>"
        for i, row in enumerate(rows, 1))
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    files = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8"?><workbook {ns} xmlns:r="{rel}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f'<?xml version="1.0" encoding="UTF-8"?><worksheet {ns}><sheetData>{data}</sheetData></worksheet>',
    }
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0)), text)
    return b.getvalue()


rows = [roster_zh] + [[w.get(f, "") for f in roster_f] for w in workers[:3]]
put("hrfile", "roster.xlsx", sel(XLSX, ROSTER) + xlsx(rows))
put("hrfile", "roster-sheet1.xlsx", sel(SNIFF, ROSTER, 3 << 5) + xlsx(rows))
put("hrfile", "scores.xlsx", sel(XLSX, SCORES) + xlsx([["worker_id", "unit", "score"]] + [[s["worker_id"], s["unit"], 90] for s in scores[:3]]))

for t in sorted(OUT.iterdir()):
    files = list(t.iterdir())
    print(f"seeds/{t.name}: {len(files)} files, {sum(f.stat().st_size for f in files)} bytes", file=sys.stderr)
