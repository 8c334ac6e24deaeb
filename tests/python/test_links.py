"""Reports.link(...) and the Links object; reconcile(link=<Links>) and the
linker's keywords of reconcile(link="auto")."""
import gc
import json
import os

import pytest

import toll

from conftest import ROOT

DATA = os.path.join(ROOT, "tests", "data", "link")
MODEL = os.path.join(DATA, "model.json")

PAIRS_COLUMNS = [
    "report_a", "report_b", "id_a", "id_b", "source_a", "source_b",
    "date", "date_weight", "distance", "distance_weight", "place",
    "place_weight", "region", "region_weight", "actors", "actors_weight",
    "figures", "figures_weight", "source", "source_weight", "prior_weight",
    "weight", "match_probability", "decision"]


def load(*names):
    """The files of tests/data/link by their names ("monitor.csv:2")."""
    r = toll.Reports()
    for name in names:
        with open(os.path.join(DATA, name), encoding="utf-8") as f:
            r.load_text(f.read(), name=name)
    return r


@pytest.fixture
def reports():
    """A monitor's and a news agency's reports, some of the same strikes."""
    return load("monitor.csv", "news.csv")


@pytest.fixture
def given(reports):
    """Linked with the hand-made model of tests/data/link/model.json."""
    return reports.link(model=MODEL)


def incident_of(links):
    return {row["report"]: row["incident"]
            for row in links.assignments().rows()}


def test_link_should_return_links_with_one_assignment_per_report(reports):
    links = reports.link()
    assert isinstance(links, toll.Links)
    assert len(links) == len(reports) == 12
    table = links.assignments()
    assert isinstance(table, toll.Table)
    assert table.columns == ["report", "id", "source", "incident",
                             "match_probability", "status"]
    assert len(table) == 12
    assert set(table["status"]) <= {"linked", "single", "review"}
    assert table["report"][0] == "monitor.csv:2"


def test_links_should_count_incidents_and_pairs(given):
    assert 0 < given.n_incidents < 12
    assert given.n_pairs == len(given.pairs())
    assert repr(given) == (f"<toll.Links: 12 reports in {given.n_incidents} "
                           f"incidents, {given.n_pairs} candidate pairs>")
    html = given._repr_html_()
    assert "toll.Links" in html and "linked" in html


def test_model_given_should_link_the_same_strike_across_sources(given):
    inc = incident_of(given)
    assert inc["monitor.csv:2"] == inc["news.csv:2"]
    assert inc["monitor.csv:4"] != inc["news.csv:4"]


def test_pairs_should_show_every_comparison_and_the_decision(given):
    pairs = given.pairs()
    assert pairs.columns == PAIRS_COLUMNS
    assert "merged" in set(pairs["decision"])
    probs = pairs["match_probability"]
    assert probs == sorted(probs, reverse=True)
    merged = given.pairs("merged")
    assert set(merged["decision"]) == {"merged"}
    review = given.pairs(which="review")
    assert set(review["decision"]) <= {"review"}


def test_pairs_should_reject_an_unknown_selection(given):
    with pytest.raises(toll.OptionError, match="which"):
        given.pairs("some")


def test_tables_should_go_to_pandas(given):
    pd = pytest.importorskip("pandas")
    df = given.assignments().to_pandas()
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns)[:4] == ["report", "id", "source", "incident"]
    assert len(given.to_pandas()) == 12
    assert list(given.pairs().to_pandas().columns) == PAIRS_COLUMNS


def test_model_should_be_a_dict_in_the_json_shape(given):
    model = given.model
    assert model["toll_link_model"] == 1
    with open(MODEL) as f:
        want = json.load(f)
    assert model["prior"] == pytest.approx(want["prior"])
    assert (model["comparisons"]["date"]["0"]["m"] ==
            pytest.approx(want["comparisons"]["date"]["0"]["m"]))
    assert set(model["comparisons"]) == set(want["comparisons"])


def test_save_model_should_read_back_to_the_same_links(reports, tmp_path):
    fitted = reports.link()
    path = tmp_path / "model.json"
    fitted.save_model(path)
    again = reports.link(model=str(path))
    assert again.model == fitted.model
    assert again.assignments().rows() == fitted.assignments().rows()
    assert reports.link(model=path).model == fitted.model  # a PathLike


def test_model_should_be_accepted_as_a_dict_or_a_links(reports, given):
    from_dict = reports.link(model=given.model)
    from_links = reports.link(model=given)
    assert from_dict.model == given.model
    assert from_links.assignments().rows() == given.assignments().rows()


def test_bad_model_should_raise_the_library_message(reports):
    with pytest.raises(toll.TollError, match="weather"):
        reports.link(model=os.path.join(DATA, "bad-model.json"))
    bad = dict(reports.link(model=MODEL).model, prior=1.5)
    with pytest.raises(toll.TollError, match="prior"):
        reports.link(model=bad)
    with pytest.raises(OSError):
        reports.link(model=os.path.join(DATA, "missing.json"))


def test_thresholds_in_the_wrong_order_should_raise_option_error(reports):
    with pytest.raises(toll.OptionError) as e:
        reports.link(upper=0.4, lower=0.6)
    assert "lower" in str(e.value) and "upper" in str(e.value)


@pytest.mark.parametrize("kw, value", [
    ("window", -1), ("upper", 1.5), ("lower", 0.0), ("max_span", -2),
    ("same_source", "sometimes")])
def test_bad_option_values_should_raise_option_error(reports, kw, value):
    with pytest.raises(toll.OptionError):
        reports.link(**{kw: value})


@pytest.mark.parametrize("kw, value", [
    ("window", "2"), ("upper", "high"), ("seed", 1.5), ("max_span", 2.0)])
def test_option_of_the_wrong_type_should_raise_type_error(reports, kw,
                                                          value):
    with pytest.raises(TypeError):
        reports.link(**{kw: value})


def test_options_should_be_accepted(reports):
    links = reports.link(window=1, upper=0.95, lower=0.3,
                         same_source="allow", max_span=0, seed=5, threads=1,
                         names=os.path.join(DATA, "names.json"))
    assert len(links) == 12


def test_same_seed_should_give_the_same_result(reports):
    a = reports.link(seed=9)
    b = reports.link(seed=9)
    assert a.model == b.model
    assert a.assignments().rows() == b.assignments().rows()


def test_labels_should_fit_the_model_from_a_list_or_a_frame(reports):
    labels = [("monitor.csv:2", "news.csv:2", True),
              ("monitor.csv:3", "news.csv:3", 1), (5, 11, True),
              ("monitor.csv:4", "news.csv:4", False), (0, 9, 0)]
    links = reports.link(labels=labels)
    assert len(links) == 12
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(labels, columns=["report_a", "report_b", "match"])
    assert reports.link(labels=frame).model == links.model


def test_labels_read_from_a_csv_file_should_fit_as_the_cli_reads_them(
        reports, tmp_path):
    # the match column as text: "0" and "no" are non-matches, as in the
    # CLI's --link-labels file (they once read as matches: any non-empty
    # string is truthy)
    pd = pytest.importorskip("pandas")
    frame = pd.read_csv(os.path.join(DATA, "labels.csv"), dtype=str)
    typed = [("monitor.csv:2", "news.csv:2", True),
             ("monitor.csv:3", "news.csv:3", True), (5, 11, True),
             ("monitor.csv:4", "news.csv:4", False), (0, 9, False)]
    assert reports._label_tuples(frame) == reports._label_tuples(typed)
    assert reports.link(labels=frame).model == \
        reports.link(labels=typed).model


@pytest.mark.parametrize("bad", ["maybe", "", 2, None, float("nan")])
def test_a_label_that_is_not_a_judgement_should_raise_option_error(
        reports, bad):
    with pytest.raises(toll.OptionError, match=r"labels\[1\]: match"):
        reports.link(labels=[(0, 9, False), ("monitor.csv:2", "news.csv:2",
                                             bad)])


def test_labels_naming_no_report_should_raise_option_error(reports):
    with pytest.raises(toll.OptionError, match="news.csv:99"):
        reports.link(labels=[("monitor.csv:2", "news.csv:99", True),
                             (0, 9, False)])
    with pytest.raises(toll.OptionError):
        reports.link(labels=[(0, 99, True), (0, 9, False)])
    with pytest.raises(toll.OptionError, match="report_b"):
        pd = pytest.importorskip("pandas")
        reports.link(labels=pd.DataFrame({"report_a": [0], "b": [1],
                                          "match": [True]}))


def test_labels_with_a_model_should_raise_option_error(reports):
    with pytest.raises(toll.OptionError, match="model"):
        reports.link(model=MODEL, labels=[(0, 6, True), (0, 9, False)])


def test_reconcile_should_accept_a_links_object(reports, given):
    unlinked = reports.reconcile()
    inc = reports.reconcile(link=given)
    assert len(inc) < len(unlinked)
    assert inc.linked is given
    keys = set(inc.table()["incident"])
    assert incident_of(given)["news.csv:2"] in keys


def test_reconcile_auto_should_link_as_link_does(reports):
    inc = reports.reconcile(link="auto", link_model=MODEL)
    via_links = reports.reconcile(link=reports.link(model=MODEL))
    assert inc.table().rows() == via_links.table().rows()
    assert inc.linked.assignments().rows() == \
        reports.link(model=MODEL).assignments().rows()


def test_reconcile_should_pass_the_linker_options(reports):
    with pytest.raises(toll.OptionError) as e:
        reports.reconcile(link="auto", link_upper=0.3, link_lower=0.7)
    assert "lower" in str(e.value)
    inc = reports.reconcile(link="auto", link_window=1, link_seed=4,
                            link_same_source="allow")
    assert inc.linked is not None


def test_linker_options_without_link_auto_should_raise_option_error(reports):
    with pytest.raises(toll.OptionError, match="link_model"):
        reports.reconcile(link_model=MODEL)
    with pytest.raises(toll.OptionError, match="link_window"):
        reports.reconcile(link="rule", link_window=3)


def test_reconcile_should_reject_links_of_other_reports(reports, given):
    other = load("monitor.csv")
    with pytest.raises(toll.OptionError, match="other Reports"):
        other.reconcile(link=given)
    with pytest.raises(toll.OptionError):
        reports.reconcile(link=given, link_window=3)


def test_core_reconcile_should_check_the_links_type(reports):
    with pytest.raises(TypeError, match="Links"):
        reports._c.reconcile(link="auto", links=object())


def test_links_should_keep_their_reports_alive():
    r = load("monitor.csv")
    links = r.link()
    del r
    gc.collect()
    assert len(links.assignments()) == 6
    assert len(links.reports) == 6
