"""How toll.mse shows itself: dir() lists the API, and estimates and
search results have HTML views for Jupyter."""
import toll
import toll.mse

PATTERNS = {"110": 30, "101": 20, "011": 15, "100": 60, "010": 40,
            "001": 25, "111": 10}


def data():
    return toll.mse.Data.from_patterns(PATTERNS, lists=["A", "B", "C"])


def test_dir_of_toll_mse_should_list_the_api_only():
    assert dir(toll.mse) == sorted(toll.mse.__all__)
    assert "Data" in dir(toll.mse) and "_core" not in dir(toll.mse)


def test_an_estimate_should_show_as_a_one_row_html_table():
    e = data().loglinear()
    html = e._repr_html_()
    assert html.count("<tr>") == 2          # the header and the estimate
    assert "<th>n_hat</th>" in html
    assert f"{e.n_hat:,.2f}" in html
    assert "A + B + C" in html


def test_search_results_should_show_every_model_and_the_average_last():
    r = data().search(criterion="aic")
    html = r._repr_html_()
    assert html.count("<tr>") == len(r) + 2  # header, models, average
    assert html.rindex("model average") > html.rindex(r[len(r) - 1].model)
    assert "by AIC" in html


def test_html_views_should_escape_text():
    e = data().loglinear()
    e = type(e)(**{**e.to_dict(), "model": "<A>&B"})
    assert "&lt;A&gt;&amp;B" in e._repr_html_()
