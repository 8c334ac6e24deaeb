#!/usr/bin/env python3
"""Write notebooks/01-quickstart.ipynb (unexecuted).  Run after editing."""
import nbformat as nbf

md, code = nbf.v4.new_markdown_cell, nbf.v4.new_code_cell
cells = [
md("""# toll quickstart: from conflicting reports to defensible numbers

The bundled example (`data/seeds.jsonl`) encodes, by hand, every casualty claim
in five news articles about Russian and Syrian air strikes in Syria (2015–2022).
Each claim is one **report**: one source's statement about one incident, with
the sentence it comes from in `note`. The figures disagree, which is the point.

This notebook goes from reports to incident ranges, to a monthly table by
actor, to a range plot, and shows how the self-report and attribution policies
change the answer. Its cells assert the key figures, so CI notices if they
change."""),
code("""from pathlib import Path
import matplotlib
matplotlib.use("Agg")          # no display needed when executed in CI
import toll

reports = toll.read(Path("..") / "data" / "seeds.jsonl")
print(len(reports), "reports;", "categories:", reports.categories)
assert len(reports) == 16"""),
md("""## Quantities are ranges, not numbers

Sources write "at least 150", "about 350", "dozens". `toll.parse_quantity`
shows how each is read, and which rule matched."""),
code("""for text in ["92", "85–92", "at least 150", "about 350", "dozens", "nearly 40", "unknown"]:
    print(f"{text!r:16} -> {toll.parse_quantity(text)}")

q = toll.parse_quantity("about 350")
assert (q.low, q.high, q.best) == (315, 385, 350.0)
assert toll.parse_quantity("at least 150").high is None      # open-ended
assert toll.parse_quantity("unknown") is None                  # unknown is not zero"""),
md("""## Reconcile: one range per incident, with provenance

Reports that share an `incident` key are reconciled per category. By default
the **envelope** policy takes the lowest low and the highest high, and the
median best; self-reports (a party speaking about its own strike) are kept
aside as the party's own figure, so a denial never lowers the minimum."""),
code("""incidents = reports.reconcile()          # policy="envelope", self_reports="exclude"
inc = incidents.to_pandas()
inc[["incident", "category", "low", "best", "high", "grade", "open", "denied",
     "contested", "low_source", "high_source", "self_source", "self_low"]]"""),
code("""killed = inc[inc.category == "killed"].set_index("incident")

# Aleppo, Sunday 25 September 2016: the LCC documented 92, the headline said 85.
aleppo = killed.loc["aleppo-2016-09-25"]
assert (aleppo.low, aleppo.high, aleppo.best) == (85, 92, 88.5)
assert aleppo.low_source == "EA WorldView (headline)"
assert aleppo.high_source == "Local Coordination Committees"
assert aleppo.contested == 1        # one report blames Russia, the other Russia + Syria

# Idlib, September 2017: rescuers say "at least 150" and 152 bodies; Russia's
# defence ministry says its planes do not strike residential districts (0).
idlib = killed.loc["idlib-2017-09-19..27"]
assert (idlib.low, idlib.high) == (150, 152)
assert idlib.denied == 1 and idlib.open == 1
assert idlib.self_low == 0          # the party's own figure is kept, not used"""),
md("""## A monthly table by actor

`summarize` totals the incident ranges. Each row has the number of incidents
and reports, the sums of low, best and high, and counts of incidents that are
open-ended, denied or contested."""),
code("""table = incidents.summarize(by=["actor", "period:month"], category="killed",
                            attribution="joint", span="start", min_grade=None)
table"""),
code("""df = table.to_pandas()
print(table.to_markdown())
assert list(df.columns) == ["actor", "period", "incidents", "reports", "low", "best",
                            "high", "open", "denied", "contested"]
assert (df.low.sum(), df.high.sum()) == (636, 724)
row = df[(df.actor == "Russia + Syria") & (df.period == "2017-09")].iloc[0]
assert (row.low, row.high, row.denied) == (150, 152, 1)"""),
code("""ax = table.plot(title="Killed per month, by alleged perpetrator (low–high, dot = best)")
assert ax is not None"""),
md("""## Policy choices change the answer

**Self-reports.** Counting the parties' own figures (`self_reports="include"`)
lets a denial pull the minimum down: the 36 killed in Homs on 30 September 2015
become a range from 0 (Russia's foreign ministry) to 36."""),
code("""by_actor = {}
for policy in ["exclude", "include"]:
    t = reports.reconcile(self_reports=policy).summarize(by=["actor"])
    by_actor[policy] = t.to_pandas().set_index("actor")[["incidents", "low", "best", "high"]]
    print(f"self_reports={policy}\\n{by_actor[policy]}\\n")

assert by_actor["exclude"].loc["Russia", "low"] == 42
assert by_actor["include"].loc["Russia", "low"] == 6       # the denials now count"""),
md("""**Attribution.** When reports blame Russian *and* Syrian jets, `joint`
keeps the pair as its own row, `split` gives each actor half, and `each` gives
each actor the full count, so the rows no longer add up (the table says so)."""),
code("""import pandas as pd
frames = {}
for how in ["joint", "split", "each"]:
    t = incidents.summarize(by=["actor"], attribution=how)
    frames[how] = t.to_pandas().set_index("actor")[["low", "best", "high"]]
    print(f"{how:6} additive={t.additive}")
side_by_side = pd.concat(frames, axis=1)
side_by_side"""),
code("""joint_total = frames["joint"].sum()
split_total = frames["split"].sum()
each_total = frames["each"].sum()
assert (joint_total == split_total).all()              # split preserves the total
assert each_total["low"] > joint_total["low"]          # each double-counts joint strikes
assert frames["split"].loc["Syria", "low"] == 297      # half of every Russia + Syria incident"""),
md("""## Where to go next

- `toll incidents` and `toll summarize` do the same from the command line.
- `notebooks/02-ucdp.ipynb` runs UCDP's event data through toll and sets the
  result against UCDP's published dyad-year table."""),
]
nb = nbf.v4.new_notebook(cells=cells)
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
nbf.write(nb, "notebooks/01-quickstart.ipynb")
print("wrote notebooks/01-quickstart.ipynb")
