from sim.docs import DOC_PATH, render
from sim.params import ASSUMPTION, SETTING
from sim.scenario import iter_parameters


def test_parameters_doc_is_current():
    assert DOC_PATH.read_text() == render(), "docs/parameters.md is stale: run `make docs`"


def test_every_parameter_has_a_unit_a_source_and_a_description():
    for path, field, _ in iter_parameters():
        extra = field.json_schema_extra or {}
        assert extra.get("unit"), f"{path} has no unit"
        source = extra.get("source")
        assert (
            source == ASSUMPTION
            or source == SETTING
            or any(
                source.startswith(report)
                for report in ("CFBU-2013", "CFBU-2015", "CABI-2011", "FR-2012", "HT-2005")
            )
        ), f"{path}: source {source!r} is neither a report citation nor 'assumption'"
        assert field.description, f"{path} has no description"
