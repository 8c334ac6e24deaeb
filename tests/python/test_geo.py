"""The place of a report (lat, lon, location, precision_km) through Python:
the Reports columns, from_records / from_pandas with float coordinates,
and the dataset-qualified keys of presets (README, "Report format")."""
import math
import os

import pytest

from conftest import ROOT, shared_data, toll

TEST_DATA = os.path.join(ROOT, "tests", "data")

GED = ("id,side_a,side_b,country,adm_1,adm_2,where_prec,where_coordinates,"
       "latitude,longitude,date_start,date_end,low,best,high\n"
       "300380,Gov,IS,Syria,Aleppo,,2,Al Bab town,36.37,37.51,"
       "2017-01-01,2017-01-01,1,2,3\n")

AIRWARS = ("airwars_id,incident_code,incident_date,country,region_en,"
           "alleged_belligerent,civilian_deaths_min,civilian_deaths_max,"
           "civilian_injuries_min,civilian_injuries_max,children_killed_min,"
           "children_killed_max,women_killed_min,women_killed_max,"
           "men_killed_min,men_killed_max,militants_killed_min,"
           "militants_killed_max,canonical_url,grading_en,latitude,"
           "longitude,location_en\n"
           "9,300380,2017-01-01,Syria,Aleppo,Russia,2,4,,,,,,,,,,,u,Fair,"
           "36.37,37.51,Al Bab\n")


def _none(v):
    return None if v is None or (isinstance(v, float) and math.isnan(v)) \
        else v


def test_to_pandas_should_have_the_place_columns():
    pytest.importorskip("pandas")
    r = toll.Reports()
    r.load_text("source,lat,lon,location,precision_km,killed\n"
                "A,36.2,37.15,Aleppo,25,1\nA,,,,,1\n", "p.csv")
    df = r.to_pandas()
    cols = list(df.columns)
    assert cols[cols.index("note") + 1:cols.index("note") + 5] == [
        "lat", "lon", "location", "precision_km"]
    assert df["lat"].dtype.kind == "f" and df["precision_km"].dtype.kind == "f"
    assert df["lat"].tolist()[0] == 36.2 and df["lon"].tolist()[0] == 37.15
    assert [_none(v) for v in df["location"].tolist()] == ["Aleppo", None]
    assert df["precision_km"].tolist()[0] == 25
    assert math.isnan(df["lat"].tolist()[1])
    assert math.isnan(df["precision_km"].tolist()[1])


def test_from_records_should_read_float_coordinates_and_nan_as_none():
    records = [
        {"source": "A", "lat": 36.2, "lon": 37.15, "location": " Aleppo ",
         "precision_km": 2.5, "killed": 1},
        {"source": "A", "lat": float("nan"), "lon": None, "killed": 1},
        {"source": "A", "lat": "-33.5", "lon": "-70.25", "killed": 1},
    ]
    rows = toll.Reports.from_records(records).table().rows()
    assert [(r["lat"], r["lon"]) for r in rows[::2]] == [
        (36.2, 37.15), (-33.5, -70.25)]
    assert _none(rows[1]["lat"]) is None and _none(rows[1]["lon"]) is None
    assert rows[0]["location"] == "Aleppo"
    assert rows[0]["precision_km"] == 2.5
    assert _none(rows[2]["precision_km"]) is None


def test_from_pandas_should_read_float_coordinate_columns():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"source": ["A", "B"], "lat": [36.2, float("nan")],
                       "lon": [37.15, float("nan")],
                       "location": ["Aleppo", None], "killed": [1, 2]})
    out = toll.Reports.from_pandas(df).to_pandas()
    assert out["lat"].tolist()[0] == 36.2 and out["lon"].tolist()[0] == 37.15
    assert math.isnan(out["lat"].tolist()[1])
    assert [_none(v) for v in out["location"].tolist()] == ["Aleppo", None]


def test_from_records_should_reject_a_latitude_without_longitude():
    with pytest.raises(toll.ReportError) as ei:
        toll.Reports.from_records([{"source": "A", "lat": 36.2}])
    assert ei.value.field == "lon" and ei.value.text == "36.2"
    r = toll.Reports.from_records([{"source": "A", "lat": 36.2},
                                   {"source": "A", "killed": 1}],
                                  lenient=True)
    assert len(r) == 1 and r.rejects[0]["field"] == "lon"


def test_from_records_should_reject_an_infinite_longitude():
    with pytest.raises(toll.TollError) as ei:
        toll.Reports.from_records([{"source": "A", "lat": 1.0,
                                    "lon": float("inf")}])
    assert ei.value.field == "lon" and ei.value.text == "inf"


def test_preset_keys_of_two_datasets_should_not_merge():
    r = toll.Reports()
    r.load_text(GED, "ged.csv", preset="ucdp-ged")
    r.load_text(AIRWARS, "aw.csv", preset="airwars")
    keys = r.to_pandas()["incident"].tolist() if _has_pandas() else [
        row["incident"] for row in r.table().rows()]
    assert keys == ["ucdp-ged:300380", "airwars:300380"]
    assert len(r.reconcile()) == 2


def test_a_user_incident_map_should_keep_keys_as_written():
    r = toll.Reports()
    r.load_text(GED, "ged.csv", preset="ucdp-ged", map="incident=id")
    assert [row["incident"] for row in r.table().rows()] == ["300380"]


def test_ucdp_preset_should_translate_where_prec():
    r = toll.Reports()
    r.load_text(GED, "ged.csv", preset="ucdp-ged")
    row = r.table().rows()[0]
    assert (row["lat"], row["lon"]) == (36.37, 37.51)
    assert row["location"] == "Al Bab town"
    assert row["precision_km"] == 25
    assert row["where_prec"] == "2"


def test_real_ged_and_airwars_should_share_no_key():
    ged = shared_data("ucdp", "ucdp_ged_syria_2016_2019.csv")
    aw = shared_data("airwars", "airwars_syria_incidents_normalized_996.csv")
    r = toll.Reports()
    n_ged = r.load(ged, preset="ucdp-ged")
    r.load(aw, preset="airwars", lenient=True)
    keys = [row["incident"] for row in r.table().rows()]
    assert all(k.startswith("ucdp-ged:") for k in keys[:n_ged])
    assert all(k.startswith("airwars:") for k in keys[n_ged:])


def _has_pandas():
    try:
        import pandas  # noqa: F401
        return True
    except ImportError:
        return False
